"""The networks poller against the cloud under test: Neutron refuses `changed_since`, so
a tick lists every network's and subnet's id and revision_number (one call per kind) and
pushes what changed to the owning project's pages: a new network's row, the row again
when a subnet is added to it, its removal when it is deleted. A first tick only records."""

import re
import uuid

import pytest

from networks import poller, pollstate
from portal.cloud import service_connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(portal_settings, monkeypatch):
    pollstate.reset()
    sent = []
    monkeypatch.setattr(poller, "publish", lambda project, html, kind, audience=None:
                        sent.append((project, html, audience)))
    monkeypatch.setattr(poller, "publish_to_admins", lambda html, kind:
                        sent.append(("admins", html, None)))
    yield sent
    pollstate.reset()


def for_project(sent, project_id: str) -> str:
    return "".join(html for project, html, _ in sent if project == project_id)


def test_neutron_refuses_changed_since(portal_settings):
    """Why the poller diffs revisions: the standard-attr-timestamp extension is loaded,
    yet 2026.2's filter validation refuses the filter (devcloud answers as the real one)."""
    resp = service_connection().network.get(
        "/networks", params={"changed_since": "2026-01-01T00:00:00Z"}, raise_exc=False)
    assert resp.status_code == 400
    assert resp.json() == {"NeutronError": {
        "type": "HTTPBadRequest", "detail": "",
        "message": "['changed_since'] is invalid attribute for filtering"}}


def test_a_network_made_changed_and_deleted_outside_is_pushed(pushed, cloud):
    alice = cloud.connect("alice")
    project = alice.current_project_id
    conn = service_connection()
    assert poller.poll(conn)["polled"] is True
    assert pushed == []  # the first tick records what is there, pushes nothing
    net = alice.network.create_network(name=f"np-{uuid.uuid4().hex[:6]}")
    try:
        poller.poll(conn)
        html = for_project(pushed, project)
        assert f'id="network-{net.id}"' in html and net.name in html
        assert 'data-live-row="networks"' in html and "<template>" in html
        pushed.clear()
        poller.poll(conn)
        assert f"network-{net.id}" not in for_project(pushed, project)  # nothing changed

        alice.network.create_subnet(network_id=net.id, cidr="10.77.3.0/24", ip_version=4)
        poller.poll(conn)
        assert "<code>10.77.3.0/24</code>" in for_project(pushed, project)
        pushed.clear()
    finally:
        alice.network.delete_network(net)
    poller.poll(conn)
    html = for_project(pushed, project)
    assert f'id="network-{net.id}" hx-swap-oob="delete"' in html


def test_routers_and_security_groups_made_changed_and_deleted_outside_are_pushed(
        pushed, cloud):
    """An interface added to a router and a rule added to a group bump their revisions
    (as the real Neutron does): their rows are pushed again with the change."""
    alice = cloud.connect("alice")
    project = alice.current_project_id
    conn = service_connection()
    poller.poll(conn)
    name = f"np-{uuid.uuid4().hex[:6]}"
    net = alice.network.create_network(name=name)
    subnet = alice.network.create_subnet(network_id=net.id, cidr="10.77.4.0/24",
                                         ip_version=4)
    router = alice.network.create_router(name=name)
    group = alice.network.create_security_group(name=name)
    try:
        poller.poll(conn)
        html = for_project(pushed, project)
        assert f'id="router-{router.id}"' in html and f'id="sg-{group.id}"' in html
        assert 'data-live-row="routers"' in html and 'data-live-row="security_groups"' in html
        pushed.clear()

        alice.network.add_interface_to_router(router, subnet_id=subnet.id)
        alice.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", protocol="tcp",
            port_range_min=22, port_range_max=22)
        poller.poll(conn)
        html = for_project(pushed, project)
        assert "<code>10.77.4.1</code>" in html  # the router's interface, on its row
        rules = len(alice.network.get_security_group(group.id).security_group_rules)
        assert f"<td>{rules}</td>" in html
        pushed.clear()
        alice.network.remove_interface_from_router(router, subnet_id=subnet.id)
    finally:
        alice.network.delete_router(router, ignore_missing=True)
        alice.network.delete_security_group(group, ignore_missing=True)
        alice.network.delete_network(net, ignore_missing=True)
    poller.poll(conn)
    html = for_project(pushed, project)
    assert f'id="router-{router.id}" hx-swap-oob="delete"' in html
    assert f'id="sg-{group.id}" hx-swap-oob="delete"' in html


def test_a_floating_ip_allocated_and_released_outside_is_pushed_per_audience(
        pushed, cloud, pool):
    """A floating IP's row offers a member its actions (release, associate) and a reader
    none: one variant per audience; its release is a removal for every page."""
    alice = cloud.connect("alice")
    project = alice.current_project_id
    conn = service_connection()
    poller.poll(conn)
    fip = alice.network.create_ip(floating_network_id=pool["id"])
    try:
        poller.poll(conn)
        variants = {audience: html for p, html, audience in pushed if p == project
                    and f'id="fip-{fip.id}"' in html}
        assert set(variants) == {"reader", "member", "admin"}
        assert 'data-testid="release"' in variants["member"]
        assert 'data-testid="release"' not in variants["reader"]
        assert fip.floating_ip_address in variants["reader"]
        pushed.clear()
    finally:
        alice.network.delete_ip(fip)
    poller.poll(conn)
    assert f'id="fip-{fip.id}" hx-swap-oob="delete"' in for_project(pushed, project)


def usage_of(html: str, pool_id: str) -> str | None:
    """The usage figures of a pool's pushed row, if it is in `html`."""
    found = re.search(rf'<tr id="pool-{pool_id}".*?data-testid="usage">([^<]*)<', html,
                      re.S)
    return " ".join(found.group(1).split()) if found else None


def test_the_admins_pools_page_hears_a_pools_usage_change(pushed, cloud, pool):
    """A floating IP allocated or released outside changes its pool's usage: the pool's
    row goes to every cloud admin's pages (and no project's), only when it changed."""
    alice = cloud.connect("alice")
    conn = service_connection()
    poller.poll(conn)
    fip = alice.network.create_ip(floating_network_id=pool["id"])
    try:
        poller.poll(conn)
        used = usage_of(for_project(pushed, "admins"), pool["id"])
        assert used is not None and used.startswith("1 / 191")
        assert 'data-live-row="pools"' in for_project(pushed, "admins")
        assert not any(f"pool-{pool['id']}" in html for p, html, _ in pushed
                       if p != "admins")
        pushed.clear()
        poller.poll(conn)
        assert usage_of(for_project(pushed, "admins"), pool["id"]) is None  # no change
    finally:
        alice.network.delete_ip(fip)
    poller.poll(conn)
    assert usage_of(for_project(pushed, "admins"), pool["id"]).startswith("0 / 191")


@pytest.mark.devcloud_only(reason="holds Neutron's network list open with a devcloud fault "
                                  "rule, and counts the calls")
def test_a_kick_while_a_poll_runs_polls_again_at_once(pushed, cloud):
    """A notification while a poll runs (its task finds the lock held): the running poll
    lists once more before it lets go, rather than leaving the change to beat's next
    second."""
    import threading
    import time

    dc = cloud.devcloud
    conn = service_connection()
    assert poller.tick(force=True, conn=conn)["polled"]             # the baseline
    dc.admin_api("POST", "faults", {"service": "network", "method": "GET",
                                    "path": "/v2.0/networks$", "latency_ms": 600})
    try:
        started = time.time()
        assert poller.tick(force=True, conn=conn)["polled"]
        lists = [c for c in dc.admin_api("GET", f"stats?since={started}")["calls"]
                 if c["method"] == "GET" and c["path"].endswith("/v2.0/networks")]
        assert len(lists) == 1                                       # no kick: one
        started = time.time()
        kicker = threading.Timer(0.2, pollstate.kick)                # mid-poll
        kicker.start()
        assert poller.tick(force=True, conn=conn)["polled"]
        kicker.join()
        lists = [c for c in dc.admin_api("GET", f"stats?since={started}")["calls"]
                 if c["method"] == "GET" and c["path"].endswith("/v2.0/networks")]
        assert len(lists) == 2
    finally:
        dc.admin_api("DELETE", "faults")
