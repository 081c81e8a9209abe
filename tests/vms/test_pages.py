"""The list (filters, paging, its cost), key pairs, floating IP on launch, actions and the
stale notice: the in-process portal against the cloud under test."""

import html as html_lib
import re
from urllib.parse import unquote

import pytest

from portal.actor import SERVICE_USER
from portal.models import AuditEvent
from vms import pollstate, tasks
from vms.models import ServerState, TimelineEvent

from .helpers import form_error, launch_data, text, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(as_):
    return as_("alice")


def test_list_filters_pages_and_cost(alice, cloud, networks, image_id, prefix,
                                     monkeypatch):
    from vms import selectors

    conn = cloud.connect("alice")
    conn.compute.create_server(name=prefix, flavor_id="1", image_id=image_id,
                               networks=[{"uuid": networks["alice"]["network"].id}],
                               min_count=3, max_count=3)
    wait_for(lambda: all(s.status == "ACTIVE" for s in conn.compute.servers(
        name=f"^{prefix}")), what="ACTIVE")
    from django.core.cache import cache

    alice.get("/servers/?name=^nothing-matches$")  # Nova's version discovery, once per process
    cache.clear()  # image names not known yet: the page pays for them (one batched call)
    resp = alice.get(f"/servers/?name={prefix}")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert body.count('data-status="ACTIVE"') == 3
    assert int(resp["X-Cloud-Calls"]) <= 4
    assert alice.get(f"/servers/?name={prefix}")["X-Cloud-Calls"] == "1"  # names cached
    assert "m1.tiny" in body and "cirros" in text(resp)
    one = next(iter(conn.compute.servers(name=f"^{prefix}-2$")))
    ip = next(iter(one.addresses.values()))[0]["addr"]
    by_ip = alice.get(f"/servers/?ip={ip}").content.decode()
    assert f'id="server-{one.id}"' in by_ip and by_ip.count("data-status=") == 1
    assert "data-status=" not in alice.get(f"/servers/?name={prefix}&status=SHUTOFF")\
        .content.decode()
    # Paging with Nova's limit/marker: pages of 2 walk all three, no server twice.
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    first = alice.get(f"/servers/?name={prefix}")
    assert first.content.decode().count("data-status=") == 2
    marker = first.context["next_marker"]
    second = alice.get(f"/servers/?name={prefix}&marker={marker}")
    assert second.content.decode().count("data-status=") == 1
    assert second.context["next_marker"] is None


def test_keypairs_create_import_delete(alice, cloud):
    conn = cloud.connect("alice")
    resp = alice.post("/servers/keypairs/", {"name": "vt-made", "public_key": ""})
    assert resp.status_code == 200
    assert "BEGIN OPENSSH PRIVATE KEY" in resp.content.decode()
    public = conn.compute.find_keypair("vt-made").public_key
    assert public.startswith("ssh-ed25519 ")
    resp = alice.post("/servers/keypairs/", {"name": "vt-imported", "public_key": public})
    assert resp.status_code == 302
    assert alice.post("/servers/keypairs/", {"name": "vt-made", "public_key": ""})\
        .status_code == 400
    assert alice.post("/servers/keypairs/", {"name": "vt-bad", "public_key": "nope"})\
        .status_code == 400
    page = alice.get("/servers/keypairs/").content.decode()
    assert 'data-keypair="vt-made"' in page and 'data-keypair="vt-imported"' in page
    for name in ("vt-made", "vt-imported"):
        assert alice.post(f"/servers/keypairs/{name}/delete/").status_code == 302
        assert conn.compute.find_keypair(name) is None


def test_launch_with_new_key_and_floating_ip(alice, cloud, networks, image_id, prefix,
                                             eager_tasks, fresh_poller):
    conn = cloud.connect("alice")
    pool = conn.network.find_network(cloud.external_network)
    router = conn.network.create_router(name=f"{prefix}-r",
                                        external_gateway_info={"network_id": pool.id})
    conn.network.add_interface_to_router(router, subnet_id=networks["alice"]["subnet"].id)
    try:
        resp = alice.post("/servers/launch/", launch_data(
            networks["alice"]["network"].id, prefix, image=image_id, key_mode="create",
            new_key_name=f"{prefix}-key", floating_pool=pool.id))
        assert resp.status_code == 200, form_error(resp)
        assert "BEGIN OPENSSH PRIVATE KEY" in resp.content.decode()
        [server] = list(conn.compute.servers(name=f"^{prefix}$"))
        assert server.key_name == f"{prefix}-key"

        def attached():
            tasks.poll(force=True)  # the tick and its follow-ups
            return TimelineEvent.objects.filter(server_id=server.id,
                                                step="floating_ip").first()
        event = wait_for(attached, what="floating IP attached")
        assert not event.failed, event.detail
        [fip] = list(conn.network.ips(floating_ip_address=event.detail))
        [port] = list(conn.network.ports(device_id=server.id))
        assert fip.port_id == port.id
        # Nova's server does not change when the floating IP is attached: the follow-up
        # pushed the row and panels itself (vms.refresh), and the page's panel has it.
        kept = ServerState.objects.get(server_id=server.id).row
        assert kept["floating"] == [fip.floating_ip_address]
        assert [f["address"] for f in kept["panels"]["floating_ips"]] == \
            [fip.floating_ip_address]
        page = alice.get(f"/servers/{server.id}/").content.decode()
        assert f'data-testid="floating-ip">{fip.floating_ip_address}<' in page
        # The follow-up went through the networks app's services as the service account,
        # in alice's project: audited like a person's change.
        assert fip.project_id == conn.current_project_id
        audited = AuditEvent.objects.filter(project_id=conn.current_project_id,
                                            user_name=SERVICE_USER)
        allocated = audited.get(action="floating_ip.allocate")
        assert allocated.target == f"{fip.floating_ip_address} ({fip.id})"
        assert audited.get(action="floating_ip.associate").detail.startswith(
            f"port {port.id}")
    finally:
        for s in conn.compute.servers(name=f"^{prefix}"):
            conn.compute.delete_server(s)
            conn.compute.wait_for_delete(s, wait=60)
        for f in conn.network.ips(floating_network_id=pool.id):
            if f.description.startswith("stackport: launch of " + prefix):
                conn.network.delete_ip(f)
        conn.network.remove_interface_from_router(
            router, subnet_id=networks["alice"]["subnet"].id)
        conn.network.delete_router(router)
        conn.compute.delete_keypair(f"{prefix}-key", ignore_missing=True)


def test_stop_start_and_refused_action(alice, cloud, networks, image_id, prefix):
    conn = cloud.connect("alice")
    server = conn.compute.create_server(name=prefix, flavor_id="1", image_id=image_id,
                                        networks=[{"uuid": networks["alice"]["network"].id}])
    conn.compute.wait_for_server(server, wait=60)
    resp = alice.post(f"/servers/{server.id}/actions/stop/")
    assert resp.status_code == 302
    assert AuditEvent.objects.filter(action="server.stop", target=prefix,
                                     detail=server.id).exists()
    conn.compute.wait_for_server(server, status="SHUTOFF", wait=60)
    page = alice.get(f"/servers/{server.id}/actions/stop/".replace("actions/stop/", ""))
    assert 'data-testid="server-status">SHUTOFF<' in page.content.decode()
    resp = alice.post(f"/servers/{server.id}/actions/stop/", follow=True)
    assert "cannot do that while it is stopped" in text(resp)
    assert alice.post(f"/servers/{server.id}/actions/start/").status_code == 302
    conn.compute.wait_for_server(server, status="ACTIVE", wait=60)
    assert alice.post(f"/servers/{server.id}/actions/explode/").status_code == 404


def test_console_log_page(alice, cloud, networks, image_id, prefix):
    conn = cloud.connect("alice")
    server = conn.compute.create_server(name=prefix, flavor_id="1", image_id=image_id,
                                        networks=[{"uuid": networks["alice"]["network"].id}])
    conn.compute.wait_for_server(server, wait=60)
    resp = alice.get(f"/servers/{server.id}/console-log/")
    assert resp.status_code == 200
    if cloud.is_devcloud:
        assert "udhcpc: lease of" in text(resp)


def test_pages_say_when_status_may_be_stale(alice, fresh_poller):
    import time

    pollstate.succeeded(time.time() - 600, transitional=False)
    pollstate.failed(time.time())
    resp = alice.get("/servers/")
    assert "Status may be stale: the compute service is not answering." in text(resp)
    assert "Last good poll at" in text(resp)
    pollstate.succeeded(time.time(), transitional=False)
    assert 'data-testid="stale"' not in alice.get("/servers/").content.decode()


@pytest.mark.parametrize("query, shown", [
    ("status=NOSUCH", "No server status is called “NOSUCH”"),
    ("status=%00", "Null characters are not allowed"),
    ("name=a%00b", "Null characters are not allowed"),
])
def test_a_filter_nova_would_refuse_is_a_message_on_the_list(alice, query, shown):
    resp = alice.get(f"/servers/?{query}")
    assert resp.status_code == 400
    assert shown in text(resp) and 'data-testid="filter-error"' in resp.content.decode()
    assert resp["X-Cloud-Calls"] == "0"  # not sent to Nova
    assert alice.get("/servers/?status=active").status_code == 200  # Nova's case rules


@pytest.mark.devcloud_only(reason="fault injection: Nova answers the list with 500 / 400")
@pytest.mark.parametrize("status, message, page_status", [
    (500, "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/",
     502),
    (400, "Invalid input for query parameters marker.", 400),
])
def test_nova_errors_on_a_page_say_what_nova_said(alice, devcloud, status, message,
                                                  page_status):
    devcloud.admin_api("POST", "faults", {"service": "compute", "method": "GET",
                                          "path": "/servers/detail$", "status": status,
                                          "message": message})
    try:
        resp = alice.get("/servers/")
    finally:
        devcloud.admin_api("DELETE", "faults")
    assert resp.status_code == page_status
    assert 'data-testid="cloud-error"' in resp.content.decode()
    assert f"(error {status}): {message}" in text(resp)
    assert "Something went wrong" not in text(resp)


PUBLIC = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFqq5t3W3yZxwq0cIvdiV0GoQm+fi6eY4z2mSxQwS8X0 "
          "vt@test")


@pytest.mark.parametrize("microversion, name, message", [
    ("2.10", "vt/slash", "Invalid input for field/attribute name. Value: vt/slash. "
                         "'vt/slash' does not match '^[_\\\\- a-zA-Z0-9]+$'"),
    ("2.92", "vt/slash", "Invalid input for field/attribute name. Value: vt/slash. "
                         "'vt/slash' does not match '^[_\\\\-\\\\@\\\\. a-zA-Z0-9]+$'"),
    ("2.10", "vt.dot", "Invalid input for field/attribute name. Value: vt.dot. "
                       "'vt.dot' does not match '^[_\\\\- a-zA-Z0-9]+$'"),
    ("2.92", " vt", "An invalid 'name' value was provided. The name must be: printable "
                    "characters. Can not start or end with whitespace."),
    ("2.92", "", "Invalid input for field/attribute name. Value: . '' should be "
                 "non-empty"),
])
def test_keypair_names_nova_refuses(cloud, microversion, name, message):
    """The cloud (devcloud as the real Nova) refuses these names: 400, Nova's words."""
    conn = cloud.connect("alice")
    resp = conn.compute.post("/os-keypairs", json={"keypair": {
        "name": name, "public_key": PUBLIC}}, raise_exc=False,
        headers={"OpenStack-API-Version": f"compute {microversion}"})
    if resp.status_code < 300:  # never leave one behind
        conn.compute.delete_keypair(name)
    assert resp.status_code == 400
    assert resp.json() == {"badRequest": {"code": 400, "message": message}}


def test_keypairs_page_survives_odd_names(alice, monkeypatch):
    """Names Nova allows since 2.92 (and any other a cloud may hold) keep the page and
    their delete buttons working."""
    from django.urls import resolve

    from vms import fragments, selectors

    odd = ["x@y.z", "a.b", "with space", "a/b", "pct%41", "q?x#y"]
    monkeypatch.setattr(selectors, "keypairs", lambda actor: [
        fragments.keypair_row(actor.user_id, type("K", (), {
            "name": n, "fingerprint": "00:11", "type": "ssh"})) for n in odd])
    resp = alice.get("/servers/keypairs/")
    assert resp.status_code == 200
    actions = re.findall(r'<form method="post" action="(/servers/keypairs/[^"]+)"',
                         resp.content.decode())
    assert [resolve(unquote(html_lib.unescape(a))).kwargs["name"] for a in actions] == odd


def test_deleting_a_keypair_you_do_not_have_says_so(alice, cloud):
    resp = alice.post("/servers/keypairs/vt-never-made/delete/", follow=True)
    assert "You have no key pair named “vt-never-made”: nothing was deleted." in text(resp)
    assert "deleted." not in text(resp).replace("nothing was deleted.", "")


def test_new_private_key_has_a_download_link_and_is_not_cached(alice, cloud):
    resp = alice.post("/servers/keypairs/", {"name": "vt-download", "public_key": ""})
    try:
        assert resp.status_code == 200
        assert resp["Cache-Control"] == "no-store"
        m = re.search(r'<a class="button primary" download="vt-download.pem" '
                      r'href="data:application/x-pem-file;charset=utf-8,([^"]+)"',
                      resp.content.decode())
        assert m, "no download link"
        shown = re.search(r'data-testid="private-key">(.*?)</pre>', resp.content.decode(),
                          re.S).group(1)
        assert unquote(m.group(1)) == html_lib.unescape(shown)
        assert unquote(m.group(1)).startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    finally:
        cloud.connect("alice").compute.delete_keypair("vt-download", ignore_missing=True)


def test_deleted_page_names_the_server_and_lists_steps_in_time_order(alice, cloud):
    from datetime import timedelta

    from django.utils import timezone

    from vms.models import ServerState

    project = cloud.connect("alice").current_project_id
    sid = "0d0e1e7e-0000-4000-8000-00000000d0e1"
    ServerState.objects.create(server_id=sid, project_id=project, name="vt-gone",
                               status="DELETED")
    t0 = timezone.now()
    # The poller sees the server gone before the follow-up sees its ports gone.
    for step, after in (("delete_requested", 0), ("server_gone", 2), ("ports_removed", 5),
                        ("ip_free", 6)):
        TimelineEvent.objects.create(server_id=sid, project_id=project, flow="delete",
                                     step=step, at=t0 + timedelta(seconds=after))
    resp = alice.get(f"/servers/{sid}/deleted/")
    assert resp.status_code == 200
    assert "<title>Deleted server vt-gone · Stackport</title>" in resp.content.decode()
    page = text(resp)
    labels = ["Delete requested", "Server gone", "Ports removed",
              "Addresses free in the subnet again"]
    assert [page.index(label) for label in labels] == sorted(page.index(label)
                                                             for label in labels)


def test_delete_offers_to_release_the_servers_floating_ip(alice, cloud, networks, image_id,
                                                          prefix):
    conn = cloud.connect("alice")
    pool = conn.network.find_network(cloud.external_network)
    router = conn.network.create_router(name=f"{prefix}-r",
                                        external_gateway_info={"network_id": pool.id})
    conn.network.add_interface_to_router(router, subnet_id=networks["alice"]["subnet"].id)
    fips = []
    try:
        servers = []
        for n in (1, 2):
            server = conn.compute.create_server(
                name=f"{prefix}-{n}", flavor_id="1", image_id=image_id,
                networks=[{"uuid": networks["alice"]["network"].id}])
            servers.append(conn.compute.wait_for_server(server, wait=60))
        for server in servers:
            [port] = list(conn.network.ports(device_id=server.id))
            fips.append(conn.network.create_ip(floating_network_id=pool.id,
                                               port_id=port.id))
        page = alice.get(f"/servers/{servers[0].id}/delete/")
        assert page.status_code == 200
        assert 'data-testid="release-floating-ips"' in page.content.decode()
        assert fips[0].floating_ip_address in text(page)
        assert "checked" not in re.search(r'<input type="checkbox"[^>]*>',
                                          page.content.decode()).group(0)  # default off
        # Ticked: released once the delete is accepted, audited as the person's release.
        done = alice.post(f"/servers/{servers[0].id}/delete/",
                          {"release_floating_ips": "on"}, follow=True)
        assert f"Floating IP {fips[0].floating_ip_address} released." in text(done)
        assert conn.network.find_ip(fips[0].id) is None
        assert AuditEvent.objects.filter(action="floating_ip.release",
                                         target__contains=fips[0].id).exists()
        # Not ticked: the address stays with the project.
        kept = alice.post(f"/servers/{servers[1].id}/delete/", follow=True)
        assert "released" not in text(kept)
        for server in servers:
            conn.compute.wait_for_delete(server, wait=60)
        assert conn.network.find_ip(fips[1].id) is not None
    finally:
        for s in conn.compute.servers(name=f"^{prefix}"):
            conn.compute.delete_server(s)
            conn.compute.wait_for_delete(s, wait=60)
        for f in fips:
            conn.network.delete_ip(f, ignore_missing=True)
        conn.network.remove_interface_from_router(
            router, subnet_id=networks["alice"]["subnet"].id)
        conn.network.delete_router(router)


def test_oversized_key_and_user_data_are_form_errors(alice, networks, image_id, prefix):
    from vms.models import LaunchRequest

    huge_key = "ssh-ed25519 " + "A" * 20000
    resp = alice.post("/servers/keypairs/", {"name": "vt-huge", "public_key": huge_key})
    assert resp.status_code == 400 and "at most 16384 characters" in text(resp)
    resp = alice.post("/servers/launch/", launch_data(
        networks["alice"]["network"].id, prefix, image=image_id, user_data="x" * 60000))
    assert resp.status_code == 400 and "User data is limited to 49151 bytes" in text(resp)
    assert not LaunchRequest.objects.filter(name=prefix).exists()
