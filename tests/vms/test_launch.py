"""Launch through the form, watch the poller fill in the timeline, delete and see the
addresses freed: the in-process portal (test client) against the cloud under test, with
the poller and its follow-ups run in this process."""

import re
import time

import pytest

from vms import tasks
from vms.models import LaunchRequest, TimelineEvent

from .helpers import form_error, launch_data, text, wait_for

pytestmark = pytest.mark.django_db


def poll_until(predicate, timeout=30, what="poll result"):
    def step():
        tasks.poll(force=True)  # the tick, then its follow-ups (eager: in this process)
        return predicate()
    return wait_for(step, timeout=timeout, interval=0.3, what=what)


def steps(server_id) -> dict:
    return {e.step: e for e in TimelineEvent.objects.filter(server_id=server_id)}


def launch(client, data):
    return client.post("/servers/launch/", data)


@pytest.fixture
def alice(as_):
    return as_("alice")


def test_launch_timeline_matches_neutron_and_console(alice, cloud, networks, image_id,
                                                     prefix, eager_tasks, fresh_poller):
    net = networks["alice"]
    resp = launch(alice, launch_data(net["network"].id, prefix, image=image_id))
    assert resp.status_code == 302, form_error(resp)
    server_id = resp.url.rstrip("/").rsplit("/", 1)[1]
    ev = poll_until(lambda: "dhcp_lease" in steps(server_id) and steps(server_id),
                    what="ACTIVE and DHCP lease")
    conn = cloud.connect("alice")
    [port] = list(conn.network.ports(device_id=server_id))
    ip = port.fixed_ips[0]["ip_address"]
    assert ev["network_chosen"].detail.startswith(f"{net['network'].name} (10.61.0.0/24)")
    assert ev["port_created"].detail == f"MAC {port.mac_address}, IP {ip}"
    if cloud.is_devcloud:
        assert f"lease of {ip} from" in ev["dhcp_lease"].detail
        assert port.mac_address in ev["dhcp_lease"].detail
    else:  # Nova's fake driver boots no guest: the timeline says it saw no lease
        assert ev["dhcp_lease"].failed
    order = ["network_chosen", "requested", "port_created", "building", "active",
             "dhcp_lease"]
    assert [s for s in order if s in ev] == order
    page = alice.get(f"/servers/{server_id}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-testid="mac">{port.mac_address}<' in body
    assert 'data-testid="server-status">ACTIVE<' in body
    assert ev["dhcp_lease"].detail in text(page)

    # Delete: the timeline shows ports removed, server gone and the IP free again, checked
    # against Neutron.
    resp = alice.post(f"/servers/{server_id}/delete/")
    assert resp.status_code == 302
    ev = poll_until(lambda: "ip_free" in steps(server_id) and steps(server_id),
                    what="delete timeline")
    assert {"delete_requested", "ports_removed", "server_gone", "ip_free"} <= set(ev)
    assert ev["ip_free"].detail == f"{ip} free"
    assert not list(conn.network.ports(device_id=server_id))
    assert not list(conn.network.ports(fixed_ips=[f"ip_address={ip}"]))
    assert alice.get(f"/servers/{server_id}/deleted/").status_code == 200


def server_posts(cloud) -> int:
    """POST /servers devcloud has received (None on a real cloud: nothing counts there)."""
    if not cloud.is_devcloud:
        return None
    return len([c for c in cloud.devcloud.admin_api("GET", "stats")["calls"]
                if c["method"] == "POST" and c["route"].endswith("/servers")])


def test_count_makes_that_many_in_one_request(alice, cloud, networks, image_id, prefix):
    before = server_posts(cloud)
    resp = launch(alice, launch_data(networks["alice"]["network"].id, prefix,
                                     image=image_id, count=5))
    assert resp.status_code == 302, form_error(resp)
    conn = cloud.connect("alice")
    names = sorted(s.name for s in conn.compute.servers(name=f"^{prefix}"))
    assert names == [f"{prefix}-{i}" for i in range(1, 6)]
    if before is not None:
        assert server_posts(cloud) - before == 1
    assert len(LaunchRequest.objects.get(name=prefix).server_ids) == 5


def test_double_submit_makes_one_server(alice, cloud, networks, image_id, prefix):
    data = launch_data(networks["alice"]["network"].id, prefix, image=image_id)
    first = launch(alice, data)
    second = launch(alice, data)
    assert first.status_code == 302 and second.status_code == 302
    assert first.url == second.url
    conn = cloud.connect("alice")
    assert len(list(conn.compute.servers(name=f"^{prefix}"))) == 1


def test_retried_request_after_lost_record_still_makes_one(alice, cloud, networks, image_id,
                                                           prefix):
    """Even when the portal's own record is gone, the request id in the server metadata
    stops a second server."""
    data = launch_data(networks["alice"]["network"].id, prefix, image=image_id)
    assert launch(alice, data).status_code == 302
    LaunchRequest.objects.filter(request_id=data["request_id"]).delete()
    assert launch(alice, data).status_code == 302
    conn = cloud.connect("alice")
    assert len(list(conn.compute.servers(name=f"^{prefix}"))) == 1


def test_quota_refused_before_nova(alice, cloud, networks, image_id, prefix):
    before = server_posts(cloud)
    resp = launch(alice, launch_data(networks["alice"]["network"].id, prefix,
                                     image=image_id, count=11))
    assert resp.status_code == 400
    assert "would exceed your project's quota" in form_error(resp)
    assert "11 more servers would make 11 of 10" in form_error(resp)
    assert server_posts(cloud) == before
    assert not list(cloud.connect("alice").compute.servers(name=f"^{prefix}"))
    assert not LaunchRequest.objects.filter(name=prefix).exists()


@pytest.mark.devcloud_only(reason="a quota Nova enforces that the portal's check cannot see")
def test_nova_quota_refusal_in_tenant_words(alice, networks, image_id, prefix, devcloud):
    devcloud.admin_api("POST", "faults", {
        "service": "compute", "method": "POST", "path": "/servers$", "status": 403,
        "message": "Quota exceeded for instances: Requested 1, but already used 10 of 10 "
                   "instances", "count": 1})
    try:
        resp = launch(alice, launch_data(networks["alice"]["network"].id, prefix,
                                         image=image_id))
    finally:
        devcloud.admin_api("DELETE", "faults")
    assert resp.status_code == 400
    assert form_error(resp).startswith("Your project's quota does not allow this launch "
                                       "(instances: asked for 1, 10 used of 10)")


@pytest.mark.parametrize("override, message", [
    ({"image": "0d0d0d0d-0000-4000-8000-000000000000"},
     "That image no longer exists or is not visible to your project."),
])
def test_image_gone_refused_on_form(alice, networks, prefix, override, message, cloud):
    """An image deleted between showing the form and submitting it: the form's own
    choices refuse it (nothing reaches Nova)."""
    data = launch_data(networks["alice"]["network"].id, prefix, **override)
    resp = launch(alice, data)
    assert resp.status_code == 400
    assert re.search(r"Select a valid choice", text(resp))


@pytest.mark.devcloud_only(reason="needs Nova to answer with a specific refusal")
@pytest.mark.parametrize("nova_says, shown", [
    ("Flavor 1 could not be found.", "That flavor no longer exists. Pick another one."),
    ("Can not find requested image", "That image no longer exists or is not visible"),
    ("Network 5d1d0000 could not be found.", "One of the chosen networks no longer exists"),
    ("No valid host was found. There are not enough hosts available.",
     "The cloud has no room for this server right now"),
])
def test_nova_refusals_in_tenant_words(alice, cloud, networks, image_id, prefix, devcloud,
                                       nova_says, shown):
    devcloud.admin_api("POST", "faults", {"service": "compute", "method": "POST",
                                          "path": "/servers$", "status": 400,
                                          "message": nova_says, "count": 1})
    try:
        resp = launch(alice, launch_data(networks["alice"]["network"].id, prefix,
                                         image=image_id, key_mode="create",
                                         new_key_name=f"{prefix}-key"))
    finally:
        devcloud.admin_api("DELETE", "faults")
    assert resp.status_code == 400
    assert shown in form_error(resp)
    # Nothing half-created: no server, no launch record, and the key pair made for this
    # launch is gone again.
    assert not LaunchRequest.objects.filter(name=prefix).exists()
    conn = cloud.connect("alice")
    assert conn.compute.find_keypair(f"{prefix}-key") is None
    assert not list(conn.compute.servers(name=f"^{prefix}"))


@pytest.mark.devcloud_only(reason="fault injection: Nova's server list answers 500")
def test_duplicate_check_that_cannot_list_launches_nothing_and_says_so(
        alice, cloud, networks, image_id, prefix, devcloud):
    """The check that stops a second server lists Nova's servers first: when that list
    fails, nothing is launched, the form says why, and the same form works afterwards."""
    data = launch_data(networks["alice"]["network"].id, prefix, image=image_id)
    before = server_posts(cloud)
    devcloud.admin_api("POST", "faults", {"service": "compute", "method": "GET",
                                          "path": "/servers/detail$", "status": 500,
                                          "message": "Unexpected API Error."})
    try:
        resp = launch(alice, data)
    finally:
        devcloud.admin_api("DELETE", "faults")
    assert resp.status_code == 400
    assert form_error(resp).startswith("Nothing was launched: the portal could not check "
                                       "whether this form was already sent")
    assert "Unexpected API Error." in form_error(resp)
    assert server_posts(cloud) == before
    assert not LaunchRequest.objects.filter(request_id=data["request_id"]).exists()
    assert launch(alice, data).status_code == 302  # sent again once Nova answers: one server
    assert len(list(cloud.connect("alice").compute.servers(name=f"^{prefix}"))) == 1


@pytest.mark.devcloud_only(reason="fault injection: Nova slower than the timeout")
def test_launch_nova_did_not_answer_in_time_says_so_and_resending_makes_one(
        alice, cloud, networks, image_id, prefix, devcloud, portal_settings):
    """POST /servers timed out: the form says the server may have been made, and sending
    the same form again leaves one server (found by its request id if Nova made it)."""
    portal_settings.CLOUD_TIMEOUT = 1.0
    data = launch_data(networks["alice"]["network"].id, prefix, image=image_id)
    devcloud.admin_api("POST", "faults", {"service": "compute", "method": "POST",
                                          "path": "/servers$", "latency_ms": 2500})
    try:
        resp = launch(alice, data)
    finally:
        devcloud.admin_api("DELETE", "faults")
    assert resp.status_code == 400
    assert "did not answer the launch in time; the server may have been made" in \
        form_error(resp)
    time.sleep(2)  # past the injected latency: whatever Nova does with it is done
    again = launch(alice, data)
    assert again.status_code == 302, form_error(again)
    conn = cloud.connect("alice")
    [made] = list(conn.compute.servers(name=f"^{prefix}"))
    assert again.url == f"/servers/{made.id}/"


@pytest.mark.devcloud_only(reason="fault injection: a server that ends in ERROR")
def test_error_server_shows_fault(alice, networks, image_id, prefix, devcloud, eager_tasks,
                                  fresh_poller):
    devcloud.admin_api("POST", "faults", {"error_servers": 1,
                                          "message": "Exceeded maximum number of retries."})
    resp = launch(alice, launch_data(networks["alice"]["network"].id, prefix,
                                     image=image_id))
    assert resp.status_code == 302, form_error(resp)
    server_id = resp.url.rstrip("/").rsplit("/", 1)[1]
    ev = poll_until(lambda: "error" in steps(server_id) and steps(server_id),
                    what="ERROR on the timeline")
    assert ev["error"].failed and ev["error"].detail == "Exceeded maximum number of retries."
    page = alice.get(f"/servers/{server_id}/")
    assert "Nova reports: Exceeded maximum number of retries." in text(page)
