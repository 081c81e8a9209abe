"""The day-2 server forms against the cloud under test: each accepted request leaves its
audit row and the state Nova reports (followed step by step by the in-process poller),
each bad input a message on the form and nothing changed in the cloud."""

import pytest

from portal.models import AuditEvent
from vms import tasks
from vms.models import ActionRun, Snapshot

from .helpers import form_error, text, unique, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(as_):
    return as_("alice")


@pytest.fixture
def server(cloud, networks, image_id, prefix):
    """An ACTIVE m1.tiny server of alice's (deleted by `prefix`'s sweep)."""
    conn = cloud.connect("alice")
    made = conn.compute.create_server(name=prefix, flavor_id="1", image_id=image_id,
                                      networks=[{"uuid": networks["alice"]["network"].id}])
    return conn.compute.wait_for_server(made, wait=60)


@pytest.fixture
def flavors(admin_conn):
    """A second flavor (a fresh real cloud has only m1.tiny) and one no quota allows."""
    bigger = admin_conn.compute.create_flavor(name=unique("vt-small"), ram=640, vcpus=2,
                                              disk=2)
    huge = admin_conn.compute.create_flavor(name=unique("vt-huge"), ram=1024, vcpus=999,
                                            disk=1)
    yield {"bigger": bigger, "huge": huge}
    for f in (bigger, huge):
        admin_conn.compute.delete_flavor(f)


def followed(server_id: str, action: str, what: str, timeout=90):
    """Poll (the poller's tick, in-process) until the newest `action` run of the server
    has ended; returns it."""
    def look():
        tasks.poll(force=True)
        run = ActionRun.objects.filter(server_id=server_id, action=action).first()
        return run if run and run.finished_at else None
    return wait_for(look, timeout=timeout, interval=0.5, what=what)


def steps_of(run) -> list[str]:
    return [s["step"] for s in run.steps]


def idle(conn, server_id: str, status="ACTIVE"):
    return wait_for(lambda: (s := conn.compute.get_server(server_id)).status == status
                    and not s.task_state and s, timeout=90, what=f"{status}, no task")


def test_rename(alice, cloud, server, prefix):
    conn = cloud.connect("alice")
    page = alice.get(f"/servers/{server.id}/rename/")
    assert page.status_code == 200 and f'value="{prefix}"' in page.content.decode()
    resp = alice.post(f"/servers/{server.id}/rename/", {"name": "   "})
    assert resp.status_code == 400
    assert "Give the server a name." in text(resp)
    assert conn.compute.get_server(server.id).name == prefix
    resp = alice.post(f"/servers/{server.id}/rename/", {"name": f"{prefix}-renamed"})
    assert resp.status_code == 302
    assert conn.compute.get_server(server.id).name == f"{prefix}-renamed"
    assert AuditEvent.objects.filter(action="server.rename", target=prefix,
                                     detail=f"{server.id}: {prefix} → {prefix}-renamed"
                                     ).exists()


def test_resize_refusals_change_nothing(alice, cloud, server, flavors):
    conn = cloud.connect("alice")
    page = alice.get(f"/servers/{server.id}/resize/")
    body = page.content.decode()
    assert page.status_code == 200
    # The picker shows what changes, from → to.
    row = body.split(f'data-flavor="{flavors["bigger"].name}"')[1].split("</tr>")[0]
    assert "1 → <strong>2</strong>" in row and "512 → <strong>640 MiB</strong>" in row
    assert "1 → <strong>2 GB</strong>" in row
    current = next(f for f in conn.compute.flavors() if f.name == "m1.tiny")
    resp = alice.post(f"/servers/{server.id}/resize/", {"flavor": current.id})
    assert resp.status_code == 400
    assert "already has this flavor" in text(resp)
    resp = alice.post(f"/servers/{server.id}/resize/", {"flavor": flavors["huge"].id})
    assert resp.status_code == 400
    assert "would exceed your project's quota" in form_error(resp)
    assert "more vCPUs" in form_error(resp)
    resp = alice.post(f"/servers/{server.id}/resize/", {"flavor": "no-such-flavor"})
    assert resp.status_code == 400 and "does not exist" in text(resp)
    after = conn.compute.get_server(server.id)
    assert after.status == "ACTIVE" and after.task_state is None
    assert after.flavor.original_name == "m1.tiny"
    assert not ActionRun.objects.filter(server_id=server.id).exists()
    assert not AuditEvent.objects.filter(action="server.resize").exists()


def test_resize_confirm_then_revert(alice, cloud, server, flavors, eager_tasks,
                                    fresh_poller):
    conn = cloud.connect("alice")
    bigger = flavors["bigger"]
    resp = alice.post(f"/servers/{server.id}/resize/", {"flavor": bigger.id})
    assert resp.status_code == 302, form_error(resp)
    assert AuditEvent.objects.filter(action="server.resize", target=server.name).exists()
    run = followed(server.id, "resize", "VERIFY_RESIZE")
    assert run.result == "VERIFY_RESIZE" and not run.failed, steps_of(run)
    assert steps_of(run)[0] == "requested" and "m1.tiny → " in run.steps[0]["detail"]
    page = alice.get(f"/servers/{server.id}/").content.decode()
    assert 'data-testid="confirm_resize"' in page and 'data-testid="resize"' not in page
    # A second resize while Nova waits for the answer is refused on the form.
    again = alice.post(f"/servers/{server.id}/resize/", {"flavor": "1"})
    assert again.status_code == 400 and form_error(again)
    assert alice.post(f"/servers/{server.id}/actions/confirm_resize/").status_code == 302
    run = followed(server.id, "confirm_resize", "the resize confirmed")
    assert run.result == "ACTIVE" and not run.failed, steps_of(run)
    assert idle(conn, server.id).flavor.original_name == bigger.name

    # Back to m1.tiny, and revert that: the server keeps the bigger flavor.
    assert alice.post(f"/servers/{server.id}/resize/", {"flavor": "1"}).status_code == 302
    wait_for(lambda: conn.compute.get_server(server.id).status == "VERIFY_RESIZE",
             timeout=90, what="VERIFY_RESIZE again")
    assert alice.post(f"/servers/{server.id}/actions/revert_resize/").status_code == 302
    run = followed(server.id, "revert_resize", "the resize reverted")
    assert run.result == "ACTIVE" and not run.failed, steps_of(run)
    assert idle(conn, server.id).flavor.original_name == bigger.name


def test_rebuild(alice, cloud, server, image_id, eager_tasks, fresh_poller):
    conn = cloud.connect("alice")
    page = alice.get(f"/servers/{server.id}/rebuild/").content.decode()
    assert 'data-testid="rebuild-confirmation"' in page  # asks first, in the page
    assert "everything on its disk is lost" in page
    resp = alice.post(f"/servers/{server.id}/rebuild/",
                      {"image": "00000000-0000-0000-0000-000000000000", "name": ""})
    assert resp.status_code == 400
    assert "That image does not exist or is not visible to your project" in text(resp)
    assert "<details class=\"confirm\" data-testid=\"rebuild-confirmation\" open>" in \
        resp.content.decode()  # the fields where it was typed, shown again
    assert conn.compute.get_server(server.id).task_state is None
    resp = alice.post(f"/servers/{server.id}/rebuild/",
                      {"image": image_id, "name": f"{server.name}-rb"})
    assert resp.status_code == 302, form_error(resp)
    assert AuditEvent.objects.filter(action="server.rebuild", target=server.name).exists()
    run = followed(server.id, "rebuild", "the rebuild's end")
    assert run.result == "ACTIVE" and not run.failed, steps_of(run)
    assert idle(conn, server.id).name == f"{server.name}-rb"


def test_snapshot(alice, cloud, server, eager_tasks, fresh_poller):
    conn = cloud.connect("alice")
    resp = alice.post(f"/servers/{server.id}/snapshot/", {"name": "  "})
    assert resp.status_code == 400 and "Give the snapshot a name." in text(resp)
    name = f"{server.name}-snap"
    assert not list(conn.image.images(name=name))
    resp = alice.post(f"/servers/{server.id}/snapshot/", {"name": name})
    assert resp.status_code == 302, form_error(resp)
    [image] = list(conn.image.images(name=name))
    try:
        assert AuditEvent.objects.filter(action="server.snapshot",
                                         detail=f"{server.id}: image {name} ({image.id})"
                                         ).exists()
        def active():
            tasks.poll(force=True)
            return Snapshot.objects.filter(image_id=image.id, ended_at__isnull=False).first()
        snap = wait_for(active, timeout=90, interval=0.5, what="the snapshot's image active")
        assert snap.status == "active" and not snap.failed
        assert conn.image.get_image(image.id).status == "active"
        page = alice.get(f"/servers/{server.id}/").content.decode()
        assert f'href="/images/{image.id}/"' in page
        assert 'data-testid="snapshot-status">active<' in page
    finally:
        conn.image.delete_image(image)


@pytest.fixture
def routed(cloud, networks, prefix):
    """alice's subnet routed to the external network (floating IPs need it)."""
    conn = cloud.connect("alice")
    pool = conn.network.find_network(cloud.external_network)
    router = conn.network.create_router(name=f"{prefix}-r",
                                        external_gateway_info={"network_id": pool.id})
    conn.network.add_interface_to_router(router, subnet_id=networks["alice"]["subnet"].id)
    yield pool
    conn.network.remove_interface_from_router(router,
                                              subnet_id=networks["alice"]["subnet"].id)
    conn.network.delete_router(router)


def test_floating_ips(alice, cloud, server, routed):
    conn = cloud.connect("alice")
    fixed = next(iter(server.addresses.values()))[0]["addr"]
    [port] = list(conn.network.ports(device_id=server.id))
    made = []
    try:
        page = alice.get(f"/servers/{server.id}/floating-ips/").content.decode()
        assert f'value="pool:{routed.id}"' in page
        resp = alice.post(f"/servers/{server.id}/floating-ips/",
                          {"source": f"pool:{routed.id}", "fixed_ip": f"{port.id}|{fixed}"})
        assert resp.status_code == 302, form_error(resp)
        [fip] = list(conn.network.ips(port_id=port.id))
        made.append(fip)
        assert fip.fixed_ip_address == fixed
        assert AuditEvent.objects.filter(action="floating_ip.allocate").exists()
        assert AuditEvent.objects.filter(action="floating_ip.associate").exists()
        # Already one on that address: Neutron refuses, the new one is not kept.
        before = {f.id for f in conn.network.ips(project_id=conn.current_project_id)}
        resp = alice.post(f"/servers/{server.id}/floating-ips/",
                          {"source": f"pool:{routed.id}", "fixed_ip": f"{port.id}|{fixed}"})
        assert resp.status_code == 400 and form_error(resp)
        assert {f.id for f in conn.network.ips(project_id=conn.current_project_id)} == before
        listed = alice.get(f"/servers/{server.id}/floating-ips/").content.decode()
        assert f'data-fip="{fip.floating_ip_address}"' in listed
        resp = alice.post(f"/servers/{server.id}/floating-ips/{fip.id}/disassociate/")
        assert resp.status_code == 302
        assert conn.network.get_ip(fip.id).port_id is None
        assert AuditEvent.objects.filter(action="floating_ip.disassociate").exists()
        # An unattached one of the project, picked from the list.
        resp = alice.post(f"/servers/{server.id}/floating-ips/",
                          {"source": f"fip:{fip.id}", "fixed_ip": f"{port.id}|{fixed}"})
        assert resp.status_code == 302, form_error(resp)
        assert conn.network.get_ip(fip.id).port_id == port.id
    finally:
        for f in made:
            conn.network.delete_ip(f)


def test_console_log_tail(alice, cloud, server):
    resp = alice.get(f"/servers/{server.id}/console-log/?lines=20&follow=on")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert f'hx-get="/servers/{server.id}/console-log/text/?lines=20"' in body
    assert 'hx-trigger="every 5s"' in body
    refresh = alice.get(f"/servers/{server.id}/console-log/text/?lines=20")
    assert refresh.status_code == 200 and 'id="console-text"' in refresh.content.decode()
    assert refresh["X-Cloud-Calls"] == "1"  # the page already checked whose server it is
    log = refresh.context["output"] or ""
    assert len(log.splitlines()) <= 20
    bad = alice.get(f"/servers/{server.id}/console-log/?lines=7")
    assert bad.status_code == 400 and "Show the last 20, 100 or 500 lines." in text(bad)
    paused = alice.get(f"/servers/{server.id}/console-log/?lines=100").content.decode()
    assert "hx-trigger" not in paused  # not following unless asked


DAY_URLS = [
    ("get", "/servers/{id}/resize/"), ("post", "/servers/{id}/resize/"),
    ("get", "/servers/{id}/rebuild/"), ("post", "/servers/{id}/rebuild/"),
    ("get", "/servers/{id}/snapshot/"), ("post", "/servers/{id}/snapshot/"),
    ("get", "/servers/{id}/rename/"), ("post", "/servers/{id}/rename/"),
    ("get", "/servers/{id}/security-groups/"), ("post", "/servers/{id}/security-groups/"),
    ("post", "/servers/{id}/security-groups/{other}/remove/"),
    ("get", "/servers/{id}/interfaces/"), ("post", "/servers/{id}/interfaces/"),
    ("post", "/servers/{id}/interfaces/{other}/detach/"),
    ("get", "/servers/{id}/floating-ips/"), ("post", "/servers/{id}/floating-ips/"),
    ("post", "/servers/{id}/floating-ips/{other}/disassociate/"),
    ("get", "/servers/{id}/console-log/"), ("get", "/servers/{id}/console-log/text/"),
]


def _everywhere(client, server, other="0" * 32):
    data = {"name": "sneaky", "flavor": "1", "image": "x", "group": "x", "mode": "network",
            "network": "x", "source": "x", "fixed_ip": "x"}
    for method, path in DAY_URLS:
        url = path.format(id=server.id, other=other)
        resp = client.post(url, data) if method == "post" else client.get(url)
        yield method, url, resp


@pytest.mark.parametrize("who", ["bob", "admin"])
def test_other_projects_server_is_404_on_every_day2_url(as_, cloud, server, prefix, who):
    for method, url, resp in _everywhere(as_(who), server):
        assert resp.status_code == 404, (method, url, resp.status_code)
        assert prefix not in resp.content.decode()
    after = cloud.connect("alice").compute.get_server(server.id)
    assert after.name == prefix and after.status == "ACTIVE" and after.task_state is None


@pytest.mark.parametrize("who", ["reader", "helpdesk"])
def test_reader_and_helpdesk_change_nothing(as_, cloud, image_id, who):
    """A reader (of demo) and helpdesk get 403 on every form and button; nothing moves."""
    demo = cloud.connect("demo")
    net = next(n for n in demo.network.networks(project_id=demo.current_project_id)
               if not n.is_router_external)
    server = demo.compute.wait_for_server(demo.compute.create_server(
        name=unique("vt-day-ro"), flavor_id="1", image_id=image_id,
        networks=[{"uuid": net.id}]), wait=60)
    try:
        client = as_(who)
        for method, url, resp in _everywhere(client, server):
            if method == "post" or "console-log" not in url:
                assert resp.status_code == 403, (method, url, resp.status_code)
        after = demo.compute.get_server(server.id)
        assert after.name == server.name and after.task_state is None
        assert not AuditEvent.objects.filter(action__startswith="server.").exists()
    finally:
        demo.compute.delete_server(server)
        demo.compute.wait_for_delete(server, wait=60)
