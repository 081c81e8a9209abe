"""The day-2 one-call actions through the portal on the cloud under test: pause/unpause,
suspend/resume, rescue (its image form)/unrescue, shelve/unshelve, lock (its reason
form)/unlock, confirm/revert resize. Each: offered only in the state Nova accepts it,
refused in words otherwise, audited as server.<verb>, the state reached, and its steps
in the server's action timeline."""

import pytest

from portal.models import AuditEvent

from .helpers import text, wait_for
from .test_actions import alice, audited, boot, offered_on_detail, post, settled  # noqa: F401

pytestmark = pytest.mark.django_db


def test_pause_suspend_and_rescue(alice, cloud, boot, image_id, eager_tasks,  # noqa: F811
                                  fresh_poller):
    from vms import tasks

    conn = cloud.connect("alice")
    (server,) = boot()
    tasks.poll(force=True)
    assert {"pause", "suspend", "rescue"} <= offered_on_detail(alice, server)
    assert "The server cannot do that while it is active." in post(alice, server, "unpause")

    assert f"Pause requested for {server.name}." in post(alice, server, "pause")
    assert audited("pause", server)
    settled(conn, server, "pause", "PAUSED")
    offers = offered_on_detail(alice, server)
    assert "unpause" in offers and "hard_reboot" in offers and "shelve" in offers
    assert not {"pause", "stop", "reboot", "suspend", "rescue"} & offers
    assert "The server cannot do that while it is paused." in post(alice, server, "stop")
    assert "Unpause requested" in post(alice, server, "unpause")
    settled(conn, server, "unpause", "ACTIVE")

    assert "Suspend requested" in post(alice, server, "suspend")
    assert audited("suspend", server)
    settled(conn, server, "suspend", "SUSPENDED")
    assert "resume" in offered_on_detail(alice, server)
    assert "Resume requested" in post(alice, server, "resume")
    settled(conn, server, "resume", "ACTIVE")

    # Rescue asks which image, in its confirmation; an image not offered is a form error.
    page = alice.get(f"/servers/{server.id}/rescue/")
    assert page.status_code == 200 and "rescue-confirmation" in page.content.decode()
    assert "anything not saved to disk is lost" in text(page)
    bad = alice.post(f"/servers/{server.id}/rescue/", {"image": "f" * 32})
    assert bad.status_code == 400 and "Select a valid choice" in text(bad)
    resp = alice.post(f"/servers/{server.id}/rescue/", {"image": image_id}, follow=True)
    assert f"Rescue requested for {server.name}." in text(resp)
    assert AuditEvent.objects.filter(action="server.rescue", detail=server.id).exists()
    run = settled(conn, server, "rescue", "RESCUE")
    assert run.steps[0]["detail"] == f"image {image_id}"
    offers = offered_on_detail(alice, server)
    assert "unrescue" in offers and not {"stop", "reboot", "rescue", "shelve"} & offers
    assert "The server cannot do that while it is rescued." in post(alice, server, "stop")
    assert "Unrescue requested" in post(alice, server, "unrescue")
    settled(conn, server, "unrescue", "ACTIVE")


def test_shelve_and_unshelve(alice, as_, cloud, boot, eager_tasks, fresh_poller):  # noqa: F811
    from vms import tasks

    conn = cloud.connect("alice")
    (server,) = boot()
    tasks.poll(force=True)
    assert "shelve_offload" not in offered_on_detail(alice, server)
    assert f"Shelve requested for {server.name}." in post(alice, server, "shelve")
    assert audited("shelve", server)

    def ended():
        tasks.poll(force=True)
        got = conn.compute.get_server(server.id)
        return got.status in ("SHELVED", "SHELVED_OFFLOADED") and not got.task_state and got
    shelved = wait_for(ended, timeout=120, interval=0.5, what="shelved")
    run = settled(conn, server, "shelve", shelved.status)
    assert [s["step"] for s in run.steps][:2] == ["requested", "shelving"]
    page = text(alice.get(f"/servers/{server.id}/"))
    assert "Shelve" in page and shelved.status in page
    offers = offered_on_detail(alice, server)
    assert "unshelve" in offers and not {"start", "stop", "shelve", "pause"} & offers
    # shelve offload is the admin's (Nova's policy), whatever the state
    assert "Only an administrator can do that." in post(alice, server, "shelve_offload")
    assert "Unshelve requested" in post(alice, server, "unshelve")
    run = settled(conn, server, "unshelve", "ACTIVE", timeout=120)
    assert "unshelving" in [s["step"] for s in run.steps]


def test_lock_with_a_reason_then_only_unlock(alice, cloud, boot):  # noqa: F811
    conn = cloud.connect("alice")
    (server,) = boot()
    form = alice.get(f"/servers/{server.id}/lock/")
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    too_long = alice.post(f"/servers/{server.id}/lock/", {"reason": "x" * 256})
    assert too_long.status_code == 400 and "at most 255 characters" in text(too_long)
    resp = alice.post(f"/servers/{server.id}/lock/", {"reason": "kernel upgrade"},
                      follow=True)
    assert f"Lock requested for {server.name}." in text(resp)
    assert audited("lock", server)
    got = conn.compute.get_server(server.id)
    assert got.is_locked and got.locked_reason == "kernel upgrade"
    page = text(alice.get(f"/servers/{server.id}/"))
    assert "This server is locked: kernel upgrade" in page
    # What Nova does not lock-check stays offered (vms.offered): the forms that are not
    # the server's own state (snapshot, rename, its groups and floating IPs).
    assert offered_on_detail(alice, server) == {"unlock", "snapshot", "rename",
                                                "security_groups", "floating_ips"}
    assert "The server is locked." in post(alice, server, "stop")
    assert "The server is locked." in text(alice.post(f"/servers/{server.id}/delete/",
                                                     follow=True))
    said = text(alice.post("/servers/bulk/reboot/", {"server": [server.id]}, follow=True))
    assert f"Not rebooted: {server.name}: The server is locked." in said
    listing = alice.get(f"/servers/?name={server.name}").content.decode()
    row = listing.split(f'id="server-{server.id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="locked"' in row and 'data-testid="unlock"' in row
    assert 'data-testid="stop' not in row
    assert "The server is locked already." in text(alice.get(f"/servers/{server.id}/lock/"))
    assert f"Unlock requested for {server.name}." in post(alice, server, "unlock")
    assert audited("unlock", server)
    assert not conn.compute.get_server(server.id).is_locked
    assert "stop" in offered_on_detail(alice, server)

    # Locked by an administrator: Nova's unlock_override policy keeps the owner out.
    cloud.connect("admin").compute.lock_server(server.id)
    try:
        assert "An administrator locked this server: only an administrator can unlock it." \
            in post(alice, server, "unlock")
        assert conn.compute.get_server(server.id).is_locked
    finally:
        cloud.connect("admin").compute.unlock_server(server.id)


def test_confirm_and_revert_a_resize(alice, cloud, boot, eager_tasks,  # noqa: F811
                                     fresh_poller):
    from vms import tasks

    admin = cloud.connect("admin")
    bigger = admin.compute.create_flavor(name=f"vt-resize-{boot.__name__[:4]}", ram=128,
                                         vcpus=1, disk=1, is_public=True)
    try:
        conn = cloud.connect("alice")
        (server,) = boot()
        tasks.poll(force=True)
        for label, action, flavor in (("Revert resize", "revert_resize", "m1.tiny"),
                                      ("Confirm resize", "confirm_resize", bigger.name)):
            conn.compute.resize_server(server, bigger.id)
            wait_for(lambda: (lambda g: g.status == "VERIFY_RESIZE" and not g.task_state)(
                conn.compute.get_server(server.id)), timeout=120, what="VERIFY_RESIZE")
            offers = offered_on_detail(alice, server)
            assert {"confirm_resize", "revert_resize"} <= offers, offers
            assert not {"stop", "reboot", "shelve"} & offers
            assert f"{label} requested for {server.name}." in post(alice, server, action)
            assert audited(action, server)
            run = settled(conn, server, action, "ACTIVE", timeout=120)
            assert run.steps[0]["step"] == "requested", label
            got = conn.compute.get_server(server.id)
            assert got.flavor.original_name == flavor
        assert "The server cannot do that while it is active." in post(
            alice, server, "confirm_resize")
    finally:
        admin.compute.delete_flavor(bigger)
