"""The one table of offered server actions (vms/offered.py) against Nova's rules as
nova/compute/api.py's decorators have them: vm_state, task_state, lock, launched, policy."""

import pytest

from portal.access import permissions_for
from vms import offered as table
from vms.offered import offered, refusal

MEMBER = permissions_for(["member", "reader"])
ADMIN = permissions_for(["admin", "member", "reader"])
READER = permissions_for(["reader"])


def server(vm_state, task_state=None, locked=False, launched=True, status="X"):
    return {"id": "0" * 32, "status": status, "vm_state": vm_state,
            "task_state": task_state or "", "locked": locked, "launched": launched}


def names(s, perms=MEMBER):
    # Only what vms/urls.py routes today is offered: compare with the table's own rules.
    return {a.name for a in offered(s, perms)}


def allowed(s, perms=MEMBER):
    """Every action the rules allow, routed or not."""
    return {a.name for a in table.TABLE if refusal(s, perms, a.name) is None}


@pytest.mark.parametrize("vm_state, expected", [
    ("active", {"stop", "reboot", "hard_reboot", "pause", "suspend", "shelve", "rescue",
                "resize", "rebuild", "snapshot", "rename", "security_groups", "interfaces",
                "floating_ips", "lock", "delete"}),
    ("stopped", {"start", "hard_reboot", "shelve", "rescue", "resize", "rebuild", "snapshot",
                 "rename", "security_groups", "interfaces", "floating_ips", "lock",
                 "delete"}),
    ("paused", {"unpause", "hard_reboot", "shelve", "snapshot", "rename", "security_groups",
                "interfaces", "floating_ips", "lock", "delete"}),
    ("suspended", {"resume", "hard_reboot", "shelve", "snapshot", "rename",
                   "security_groups", "floating_ips", "lock", "delete"}),
    ("error", {"stop", "hard_reboot", "rescue", "rebuild", "rename", "security_groups",
               "floating_ips", "lock", "delete"}),
    ("rescued", {"unrescue", "rename", "security_groups", "floating_ips", "lock", "delete"}),
    ("shelved", {"unshelve", "rename", "security_groups", "floating_ips", "lock", "delete"}),
    ("shelved_offloaded", {"unshelve", "rename", "security_groups", "floating_ips", "lock",
                           "delete"}),
    ("resized", {"confirm_resize", "revert_resize", "rename", "security_groups",
                 "floating_ips", "lock", "delete"}),
])
def test_each_vm_state_allows_what_nova_allows(vm_state, expected):
    assert allowed(server(vm_state)) == expected


def test_shelve_offload_is_for_admins_only():
    assert "shelve_offload" not in allowed(server("shelved"))
    assert refusal(server("shelved"), MEMBER, "shelve_offload") == \
        "Only an administrator can do that."
    assert "shelve_offload" in allowed(server("shelved"), ADMIN)
    assert "shelve_offload" not in allowed(server("shelved_offloaded"), ADMIN)


def test_a_task_in_progress_leaves_only_what_nova_allows_then():
    busy = server("active", "powering-off")
    assert allowed(busy) == {"rename", "security_groups", "floating_ips", "lock", "delete"}
    assert refusal(busy, MEMBER, "reboot") == \
        "The server is busy (powering-off); try again in a moment."
    # A hard reboot may interrupt a soft reboot, a pause, a suspend (ALLOW_REBOOT).
    for task in ("rebooting", "reboot_pending", "reboot_started", "pausing", "suspending",
                 "resuming", "unpausing", "rebooting_hard"):
        assert "hard_reboot" in allowed(server("active", task)), task
    assert "hard_reboot" not in allowed(server("active", "shelving"))
    assert "delete" in allowed(server("active", "shelving_image_uploading"))


def test_a_locked_server_offers_non_admins_only_unlock_and_what_lock_does_not_guard():
    locked = server("active", locked=True)
    assert allowed(locked) == {"unlock", "snapshot", "rename", "security_groups",
                               "floating_ips"}
    assert refusal(locked, MEMBER, "stop") == "The server is locked."
    assert refusal(locked, MEMBER, "delete") == "The server is locked."
    # check_instance_lock lets an admin through.
    assert {"stop", "delete", "unlock"} <= allowed(locked, ADMIN)
    assert "lock" not in allowed(locked, ADMIN) and "unlock" not in allowed(server("active"))


def test_a_server_that_never_booted_can_only_be_deleted_and_renamed():
    never = server("error", launched=False)
    assert allowed(never) == {"rename", "security_groups", "floating_ips", "lock", "delete"}
    assert refusal(never, MEMBER, "stop") == "The server has not finished building yet."
    assert allowed(server("building", "spawning", launched=False)) == \
        {"rename", "security_groups", "floating_ips", "lock", "delete"}


def test_readers_are_offered_nothing():
    assert offered(server("active"), READER) == []
    assert refusal(server("active"), READER, "start") == \
        "Your role in this project cannot change servers."


def test_wrong_state_says_so_in_the_words_the_pages_use():
    assert refusal(server("stopped"), MEMBER, "stop") == \
        "The server cannot do that while it is stopped."
    assert refusal(server("active"), MEMBER, "start") == \
        "The server cannot do that while it is active."


def test_only_routed_actions_are_offered_and_each_has_a_url():
    s = server("active")
    shown = offered(s, MEMBER)
    assert {a.name for a in shown} <= allowed(s)
    assert {"stop", "reboot", "hard_reboot", "delete"} <= names(s)
    for a in shown:
        assert a.url(s["id"]).startswith(f"/servers/{s['id']}/")
        assert a.kind in (table.BUTTON, table.CONFIRM, table.FORM)
        if a.needs_confirmation:
            assert a.says("web-1").startswith("web-1 ")


def test_rows_and_server_objects_read_the_same():
    from vms import rows
    from vms.servers import Server

    body = {"id": "a" * 32, "status": "SHUTOFF", "OS-EXT-STS:vm_state": "stopped",
            "OS-EXT-STS:task_state": None, "locked": True,
            "OS-SRV-USG:launched_at": "2026-01-01T00:00:00.000000"}
    obj = Server(body)
    assert table.state_of(obj) == table.state_of(rows.row(obj, {})) == table.State(
        "stopped", None, True, True)
    # A row kept before rows carried vm_state: Nova's status says it.
    assert table.state_of({"status": "PAUSED", "task_state": ""}).vm_state == "paused"


def test_an_openstacksdk_server_reads_as_its_attributes():
    """openstacksdk's Server is a dict too (keyed by its own names): read as an object."""
    from openstack.compute.v2.server import Server as SdkServer

    sdk = SdkServer(id="b" * 32, status="ACTIVE", vm_state="active", locked=True,
                    launched_at="2026-01-01T00:00:00.000000")
    assert table.state_of(sdk) == table.State("active", None, True, True)
    # Locked: unlock, and the forms Nova does not lock-check.
    assert {a.name for a in offered(sdk, MEMBER)} == {"unlock", "snapshot", "rename",
                                                      "security_groups", "floating_ips"}
