"""pause/unpause, suspend/resume, lock/unlock, rescue/unrescue, shelve/unshelve through
openstacksdk, as the portal calls them: the states and refusals a real Nova 2026.2 gives
(checked against the real control plane: same task_states, vm_states, 409/403 bodies)."""

import pytest

from .day2 import Watch, boot, connect, refused, slow_actions, wait


@pytest.fixture(scope="module")
def demo(devcloud):
    return connect(devcloud, "demo")


@pytest.fixture(scope="module")
def admin(devcloud):
    return connect(devcloud, "admin")


@pytest.fixture
def server(demo, admin):
    server = boot(demo, "day2-states")
    yield server
    admin.compute.unlock_server(server)
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=30, interval=0.1)


def conflict(server, action: str, state: str, attr: str = "vm_state") -> str:
    return f"Cannot '{action}' instance {server.id} while it is in {attr} {state}"


def test_pause_unpause_and_their_conflicts(demo, server):
    refused(lambda: demo.compute.unpause_server(server), 409,
            conflict(server, "unpause", "active"))
    demo.compute.pause_server(server)
    paused = wait(demo, server, "PAUSED")
    assert paused.vm_state == "paused"
    refused(lambda: demo.compute.pause_server(server), 409,
            conflict(server, "pause", "paused"))
    refused(lambda: demo.compute.suspend_server(server), 409,
            conflict(server, "suspend", "paused"))
    demo.compute.unpause_server(server)
    assert wait(demo, server, "ACTIVE").vm_state == "active"


def test_suspend_resume(demo, server):
    demo.compute.suspend_server(server)
    assert wait(demo, server, "SUSPENDED").vm_state == "suspended"
    refused(lambda: demo.compute.pause_server(server), 409,
            conflict(server, "pause", "suspended"))
    demo.compute.resume_server(server)
    wait(demo, server, "ACTIVE")
    refused(lambda: demo.compute.resume_server(server), 409,
            conflict(server, "resume", "active"))


def test_each_action_walks_novas_task_states(devcloud, demo, server):
    with slow_actions(devcloud):
        for call, status, seen in [
            (demo.compute.pause_server, "PAUSED",
             [("ACTIVE", "active", "pausing"), ("PAUSED", "paused", None)]),
            (demo.compute.unpause_server, "ACTIVE",
             [("PAUSED", "paused", "unpausing"), ("ACTIVE", "active", None)]),
            (demo.compute.suspend_server, "SUSPENDED",
             [("ACTIVE", "active", "suspending"), ("SUSPENDED", "suspended", None)]),
            (demo.compute.resume_server, "ACTIVE",
             [("SUSPENDED", "suspended", "resuming"), ("ACTIVE", "active", None)]),
        ]:
            with Watch(demo, server.id) as watch:
                call(server)
                wait(demo, server, status)
            assert watch.seen[1:] == seen


def test_lock_with_a_reason_refuses_the_owner_but_not_an_admin(demo, admin, server):
    demo.compute.lock_server(server, locked_reason="maintenance window")
    locked = demo.compute.get_server(server)
    assert locked.is_locked is True and locked.locked_reason == "maintenance window"
    message = f"Instance {server.id} is locked"
    for call in (demo.compute.pause_server, demo.compute.stop_server,
                 demo.compute.suspend_server, demo.compute.shelve_server,
                 demo.compute.rescue_server, demo.compute.delete_server,
                 lambda s: demo.compute.reboot_server(s, "SOFT")):
        refused(lambda call=call: call(server), 409, message)
    refused(lambda: demo.compute.set_server_metadata(server, a="b"), 409, message)
    # the owner locking again changes nothing (Nova keeps the first reason)
    demo.compute.lock_server(server, locked_reason="another")
    assert demo.compute.get_server(server).locked_reason == "maintenance window"
    # an admin acts on a locked server
    admin.compute.pause_server(server)
    wait(demo, server, "PAUSED")
    admin.compute.unpause_server(server)
    wait(demo, server, "ACTIVE")
    demo.compute.unlock_server(server)
    unlocked = demo.compute.get_server(server)
    assert unlocked.is_locked is False and unlocked.locked_reason is None
    listed = [s.id for s in demo.compute.servers(locked=True)]
    assert server.id not in listed


def test_an_admins_lock_needs_an_admin_to_unlock(demo, admin, server):
    admin.compute.lock_server(server, locked_reason="held by ops")
    assert demo.compute.get_server(server).locked_reason == "held by ops"
    assert server.id in [s.id for s in demo.compute.servers(locked=True)]
    refused(lambda: demo.compute.unlock_server(server), 403,
            "Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override "
            "to be performed.")
    admin.compute.unlock_server(server)
    assert demo.compute.get_server(server).is_locked is False


def test_lock_reason_is_validated(demo, server):
    refused(lambda: demo.compute.lock_server(server, locked_reason="x" * 256), 400,
            f"Invalid input for field/attribute locked_reason. Value: {'x' * 256}. "
            f"'{'x' * 256}' is too long")
    assert demo.compute.get_server(server).is_locked is False


def test_rescue_with_an_image_and_password_then_unrescue(demo, server):
    cirros = demo.image.find_image("cirros")
    resp = demo.compute.post(f"/servers/{server.id}/action",
                             json={"rescue": {"adminPass": "s3cret",
                                              "rescue_image_ref": cirros.id}})
    assert (resp.status_code, resp.json()) == (200, {"adminPass": "s3cret"})
    rescued = wait(demo, server, "RESCUE")
    assert rescued.vm_state == "rescued"
    refused(lambda: demo.compute.rescue_server(server), 409,
            conflict(server, "rescue", "rescued"))
    refused(lambda: demo.compute.pause_server(server), 409,
            conflict(server, "pause", "rescued"))
    demo.compute.unrescue_server(server)
    wait(demo, server, "ACTIVE")
    refused(lambda: demo.compute.unrescue_server(server), 409,
            conflict(server, "unrescue", "active"))
    actions = [a.action for a in demo.compute.server_actions(server)]
    assert actions[:2] == ["unrescue", "rescue"]


def test_rescue_with_an_unknown_image_is_refused(demo, server):
    missing = "0cab2615-a53d-45b1-b2f1-5d97adf03241"
    refused(lambda: demo.compute.rescue_server(server, image_ref=missing), 400,
            f"Requested rescue image '{missing}' is not supported")
    assert demo.compute.get_server(server).status == "ACTIVE"


def test_shelve_offloads_at_once_and_unshelve_brings_it_back(devcloud, demo, admin, server):
    with slow_actions(devcloud, 4.0), Watch(demo, server.id) as watch:
        demo.compute.shelve_server(server)
        shelved = wait(demo, server, "SHELVED_OFFLOADED")
    assert watch.seen[1:] == [
        ("ACTIVE", "active", "shelving"), ("ACTIVE", "active", "shelving_image_pending_upload"),
        ("ACTIVE", "active", "shelving_image_uploading"),
        ("SHELVED", "shelved", "shelving_offloading"),
        ("SHELVED_OFFLOADED", "shelved_offloaded", None)]
    assert shelved.availability_zone == "" and shelved.host_id == ""
    (image,) = demo.image.images(name="day2-states-shelved")
    assert image.status == "active" and image.properties["image_type"] == "snapshot"
    refused(lambda: demo.compute.start_server(server), 409,
            f"Instance {server.id} is not ready")
    refused(lambda: demo.compute.shelve_offload_server(server), 403,
            "Policy doesn't allow os_compute_api:os-shelve:shelve_offload to be performed.")
    refused(lambda: admin.compute.shelve_offload_server(server), 409,
            conflict(server, "shelveOffload", "shelved_offloaded"))
    demo.compute.unshelve_server(server)
    back = wait(demo, server, "ACTIVE")
    assert back.availability_zone == "nova"
    assert list(demo.image.images(name="day2-states-shelved")) == []   # Nova deletes it
    refused(lambda: demo.compute.unshelve_server(server), 409,
            conflict(server, "unshelve", "active"))


def test_new_actions_are_instance_actions(demo, server):
    demo.compute.lock_server(server)
    demo.compute.unlock_server(server)
    demo.compute.pause_server(server)
    wait(demo, server, "PAUSED")
    demo.compute.unpause_server(server)
    wait(demo, server, "ACTIVE")
    actions = list(demo.compute.server_actions(server))
    assert [a.action for a in actions] == ["unpause", "pause", "unlock", "lock", "create"]
    assert all(a.message is None for a in actions)
