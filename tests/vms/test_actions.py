"""Server actions through the portal, on the cloud under test: what the detail page and
the row menu offer (vms.offered's table), a refusal in the wrong state in words, an
accepted action's audit row, the state Nova reaches, and the action's steps in the
server's timeline as the poller (in this process) sees them."""

import pytest

from portal.models import AuditEvent
from vms import offered, tasks
from vms.models import ActionRun

from .helpers import text, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(as_):
    return as_("alice")


@pytest.fixture
def boot(cloud, networks, image_id, prefix):
    """boot(n=1) → alice's servers, ACTIVE (deleted after the test by `prefix`)."""
    conn = cloud.connect("alice")

    def make(count=1):
        conn.compute.create_server(name=prefix, flavor_id="1", image_id=image_id,
                                   networks=[{"uuid": networks["alice"]["network"].id}],
                                   min_count=count, max_count=count)
        found = wait_for(lambda: (lambda s: len(s) == count and all(
            x.status == "ACTIVE" for x in s) and s)(list(conn.compute.servers(
                name=f"^{prefix}"))), timeout=90, what="ACTIVE")
        return sorted(found, key=lambda s: s.name)
    return make


def post(client, server, action, **data) -> str:
    return text(client.post(f"/servers/{server.id}/actions/{action}/", data, follow=True))


def audited(action, server) -> bool:
    return AuditEvent.objects.filter(action=f"server.{action}", detail=server.id).exists()


def offered_on_detail(client, server) -> set[str]:
    body = client.get(f"/servers/{server.id}/").content.decode()
    actions = body.split('data-testid="actions"', 1)[1].split("</nav>", 1)[0]
    return {a.name for a in offered.TABLE if f'data-testid="{a.name}"' in actions}


def settled(conn, server, action, status, timeout=90) -> ActionRun:
    """Poll (in this process) until the action's run has ended; Nova says `status`."""
    def ended():
        tasks.poll(force=True)
        return ActionRun.objects.filter(server_id=server.id, action=action).exclude(
            finished_at=None).first()
    run = wait_for(ended, timeout=timeout, interval=0.5, what=f"{action} seen through")
    assert conn.compute.get_server(server.id).status == status
    assert run.result == status and not run.failed, run.steps
    assert [s["step"] for s in run.steps][0] == "requested"
    return run


def test_power_actions_offered_refused_audited_and_seen_through(
        alice, cloud, boot, eager_tasks, fresh_poller):
    conn = cloud.connect("alice")
    (server,) = boot()
    tasks.poll(force=True)  # the baseline: the server as it is now
    assert {"stop", "reboot", "hard_reboot", "delete"} <= offered_on_detail(alice, server)
    assert "start" not in offered_on_detail(alice, server)
    # Asked anyway (an old page): refused in words, nothing asked of Nova, no audit row.
    assert "The server cannot do that while it is active." in post(alice, server, "start")
    assert not audited("start", server)

    said = post(alice, server, "stop")
    assert f"Stop requested for {server.name}." in said
    assert audited("stop", server)
    run = settled(conn, server, "stop", "SHUTOFF")
    assert "powering-off" in [s["step"] for s in run.steps]
    offers = offered_on_detail(alice, server)
    assert "start" in offers and "stop" not in offers and "reboot" not in offers
    page = alice.get(f"/servers/{server.id}/").content.decode()
    run_html = page.split('data-action="stop"', 1)[1].split("</ol>", 1)[0]
    assert 'data-step="requested"' in run_html and 'data-step="powering-off"' in run_html
    assert 'class="done" data-step="SHUTOFF"' in run_html
    assert "The server cannot do that while it is stopped." in post(alice, server, "stop")

    assert "Start requested" in post(alice, server, "start")
    assert audited("start", server)
    settled(conn, server, "start", "ACTIVE")
    for action, label in (("reboot", "Reboot"), ("hard_reboot", "Hard reboot")):
        assert f"{label} requested for {server.name}." in post(alice, server, action)
        assert audited(action, server)
        settled(conn, server, action, "ACTIVE")
    assert alice.post(f"/servers/{server.id}/actions/explode/").status_code == 404
    # A verb that has a form of its own is not a one-button action.
    assert alice.post(f"/servers/{server.id}/actions/lock/").status_code == 404


def test_row_menus_and_bulk_actions_report_each_server(alice, cloud, boot, prefix):
    conn = cloud.connect("alice")
    a, b, c = boot(3)
    conn.compute.stop_server(a)
    conn.compute.wait_for_server(a, status="SHUTOFF", wait=60)
    alice.get(f"/servers/?name={prefix}")  # image names cached: the warm page's cost
    # The row menus cost no call: the list has what the table reads. (Warm is 1 call; a
    # run sharing the test Redis may flush the image-name cache: the least of three.)
    pages = [alice.get(f"/servers/?name={prefix}") for _ in range(3)]
    assert min(int(p["X-Cloud-Calls"]) for p in pages) == 1
    body = pages[-1].content.decode()

    def row(server):
        return body.split(f'id="server-{server.id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="start"' in row(a) and 'data-testid="stop"' not in row(a)
    assert 'data-testid="stop"' in row(b) and 'data-testid="start"' not in row(b)
    assert f'formaction="/servers/{b.id}/actions/reboot/"' in row(b)
    assert 'form="row-action"' in row(b) and 'name="server"' in row(b)
    # The row menu posts with the list page's form and goes back to the list.
    back = f"/servers/?name={prefix}"
    resp = alice.post(f"/servers/{b.id}/actions/reboot/", {"next": back})
    assert resp.status_code == 302 and resp["Location"] == back
    conn.compute.wait_for_server(b, status="ACTIVE", wait=60)

    resp = alice.post("/servers/bulk/start/", {"server": [a.id, b.id, c.id], "next": back},
                      follow=True)
    said = text(resp)
    assert f"Start requested for {a.name}." in said
    assert f"Not started: {b.name}: The server cannot do that while it is active." in said
    assert f"{c.name}: The server cannot do that while it is active." in said
    assert audited("start", a) and not audited("start", b) and not audited("start", c)
    conn.compute.wait_for_server(a, status="ACTIVE", wait=60)

    said = text(alice.post("/servers/bulk/stop/", {"server": [b.id, c.id]}, follow=True))
    assert f"Stop requested for {b.name}, {c.name}." in said
    assert audited("stop", b) and audited("stop", c)
    for s in (b, c):
        conn.compute.wait_for_server(s, status="SHUTOFF", wait=60)

    said = text(alice.post("/servers/bulk/delete/", {"server": [a.id, b.id, c.id]},
                           follow=True))
    assert f"Delete requested for {a.name}, {b.name}, {c.name}." in said
    for s in (a, b, c):
        assert audited("delete", s)
        wait_for(lambda s=s: conn.compute.find_server(s.id, ignore_missing=True) is None,
                 timeout=60, what=f"{s.name} gone")
    assert "Select the instances first." in text(alice.post("/servers/bulk/stop/", {},
                                                            follow=True))
    assert alice.post("/servers/bulk/explode/", {"server": [a.id]}).status_code == 404


def test_bulk_actions_never_reach_another_projects_server(as_, cloud, boot):
    (server,) = boot()
    said = text(as_("bob").post("/servers/bulk/stop/", {"server": [server.id]}, follow=True))
    assert f"Not stopped: {server.id}: No such server in this project." in said
    assert server.name not in said
    said = text(as_("admin").post("/servers/bulk/delete/", {"server": [server.id]},
                                  follow=True))
    assert "No such server in this project." in said
    assert not AuditEvent.objects.filter(detail=server.id).exists()
    got = cloud.connect("alice").compute.get_server(server.id)
    assert got.status == "ACTIVE" and got.task_state is None
    assert as_("bob").post("/servers/bulk/stop/", {"server": ["x" * 200]}).status_code == 404
