"""The networks poller against the cloud under test: Neutron refuses `changed_since`, so
a tick lists every network's and subnet's id and revision_number (one call per kind) and
pushes what changed to the owning project's pages: a new network's row, the row again
when a subnet is added to it, its removal when it is deleted; and the detail pages'
panels (a network's subnets and ports, a router's interfaces, a group's rules) as the
page renders them. A first tick only records."""

import re
import time
import uuid
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from networks import poller, pollstate
from portal.cloud import service_connection
from tests.networks.helpers import boot_server

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


# --- detail pages: their panels are pushed whole (networks/panels.py) -----------------

class _Element(HTMLParser):
    """The outer HTML of the first element with one id (its tag's depth counted)."""

    def __init__(self, element_id: str):
        super().__init__(convert_charrefs=False)
        self.element_id, self.tag, self.depth, self.start, self.end = element_id, None, 0, \
            None, None

    def handle_starttag(self, tag, attrs):
        if self.tag is None and dict(attrs).get("id") == self.element_id:
            self.tag, self.start = tag, self._offset()
        if tag == self.tag and self.end is None:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == self.tag and self.end is None:
            self.depth -= 1
            if self.depth == 0:
                self.end = self._offset() + len(f"</{tag}>")

    def _offset(self) -> int:
        line, col = self.getpos()
        return sum(len(x) for x in self.rawdata.splitlines(keepends=True)[:line - 1]) + col


def panel(html: str, element_id: str) -> str | None:
    """The element with this id in `html` (a pushed message or a page), or None."""
    found = _Element(element_id)
    found.feed(html)
    found.close()
    return html[found.start:found.end] if found.end else None


def as_on_the_page(fragment: str) -> str:
    """A pushed panel as the page itself renders it: no out-of-band marker, and the
    page's forms' CSRF tokens left out (a pushed form takes the page's: confirm.js)."""
    fragment = fragment.replace(' hx-swap-oob="true"', "")
    return re.sub(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">', "",
                  fragment)


def variants(sent, project_id: str, element_id: str) -> dict:
    """{audience: the panel} of what was pushed to the project."""
    return {audience: found for p, html, audience in sent if p == project_id
            and (found := panel(html, element_id)) is not None}


def test_a_subnet_and_a_port_made_outside_push_the_network_detail_panels(
        pushed, cloud, as_):
    """A subnet made outside pushes the network's Subnets panel, one variant per audience
    (a reader gets no Edit or Delete); a port made on it does not bump the network, the
    ports list sees it, and its Attached ports panel is pushed as the page shows it. A
    tick that sees no change pushes nothing."""
    alice = cloud.connect("alice")
    project = alice.current_project_id
    conn = service_connection()
    net = alice.network.create_network(name=f"np-{uuid.uuid4().hex[:6]}")
    try:
        poller.poll(conn)
        subnet = alice.network.create_subnet(network_id=net.id, cidr="10.77.5.0/24",
                                             ip_version=4)
        poller.poll(conn)
        got = variants(pushed, project, f"network-subnets-{net.id}")
        assert set(got) == {"reader", "member", "admin"}
        assert all("<code>10.77.5.0/24</code>" in html for html in got.values())
        assert f'href="/network/subnets/{subnet.id}/edit/"' in got["member"]
        assert 'data-testid="delete-subnet"' in got["member"]
        assert "Edit" not in got["reader"] and "delete-subnet" not in got["reader"]
        assert 'data-testid="delete-network"' in variants(
            pushed, project, f"network-actions-{net.id}")["member"]
        assert "delete-network" not in variants(
            pushed, project, f"network-actions-{net.id}")["reader"]
        pushed.clear()

        poller.poll(conn)
        assert for_project(pushed, project) == ""  # nothing changed: nothing pushed

        revision = alice.network.get_network(net.id).revision_number
        port = alice.network.create_port(network_id=net.id, name=f"np-{net.name}")
        assert alice.network.get_network(net.id).revision_number == revision
        poller.poll(conn)
        got = variants(pushed, project, f"network-ports-{net.id}")
        assert f'data-port="{port.id}"' in got["reader"]
        assert f"<code>{port.mac_address}</code>" in got["reader"]
        page = as_("alice").get(reverse("networks:detail", args=[net.id])).content.decode()
        for element in (f"network-ports-{net.id}", f"network-subnets-{net.id}",
                        f"network-head-{net.id}", f"network-actions-{net.id}"):
            assert as_on_the_page(variants(pushed, project, element)["member"]) == \
                as_on_the_page(panel(page, element)), element
        pushed.clear()

        alice.network.delete_port(port)
        poller.poll(conn)
        html = variants(pushed, project, f"network-ports-{net.id}")["member"]
        assert port.id not in html and "<th>MAC</th>" in html
    finally:
        for p in alice.network.ports(network_id=net.id):
            if not p.device_owner:  # the test's own (Neutron removes its DHCP port)
                alice.network.delete_port(p, ignore_missing=True)
        alice.network.delete_network(net, ignore_missing=True)


def test_a_rule_added_outside_pushes_the_groups_rules_panel(pushed, cloud, as_):
    """A rule bumps its group: the Rules panel is pushed, per audience (a reader gets no
    Remove), a remote group named as the page names it."""
    alice = cloud.connect("alice")
    project = alice.current_project_id
    conn = service_connection()
    group = alice.network.create_security_group(name=f"np-{uuid.uuid4().hex[:6]}")
    try:
        poller.poll(conn)
        rule = alice.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", protocol="tcp",
            port_range_min=8443, port_range_max=8443, remote_ip_prefix="192.0.2.0/24")
        alice.network.create_security_group_rule(  # its members: named from the project's
            security_group_id=group.id, direction="ingress", remote_group_id=group.id)
        poller.poll(conn)
        got = variants(pushed, project, f"sg-rules-{group.id}")
        assert set(got) == {"reader", "member", "admin"}
        assert f'data-rule="{rule.id}"' in got["reader"] and "192.0.2.0/24" in got["reader"]
        assert f"group {group.name}" in got["reader"]
        assert 'data-testid="delete-rule"' in got["member"]
        assert "delete-rule" not in got["reader"]
        page = as_("alice").get(reverse("networks:security_group", args=[group.id]))
        assert as_on_the_page(got["member"]) == \
            as_on_the_page(panel(page.content.decode(), f"sg-rules-{group.id}"))
    finally:
        alice.network.delete_security_group(group, ignore_missing=True)


def test_a_router_interface_added_outside_pushes_the_routers_panels(pushed, cloud, as_):
    """The interface bumps the router: its Interfaces panel is pushed with the subnet,
    and its add form no longer offers that subnet; the network's Attached ports panel
    gains the router's port."""
    alice = cloud.connect("alice")
    project = alice.current_project_id
    conn = service_connection()
    name = f"np-{uuid.uuid4().hex[:6]}"
    net = alice.network.create_network(name=name)
    subnet = alice.network.create_subnet(network_id=net.id, cidr="10.77.6.0/24",
                                         ip_version=4, name=name)
    router = alice.network.create_router(name=name)
    try:
        poller.poll(conn)
        alice.network.add_interface_to_router(router, subnet_id=subnet.id)
        poller.poll(conn)
        got = variants(pushed, project, f"router-interfaces-{router.id}")
        assert set(got) == {"reader", "member", "admin"}
        assert f'data-subnet="{subnet.id}"' in got["reader"]
        assert "<code>10.77.6.1</code>" in got["reader"]
        assert 'data-testid="remove-interface"' in got["member"]
        assert "remove-interface" not in got["reader"]
        form = variants(pushed, project, f"router-add-{router.id}")
        assert set(form) == {"member", "admin"}  # a reader's page has no form
        assert f'value="{subnet.id}"' not in form["member"]
        assert f"router <code>{router.id[:8]}" in variants(
            pushed, project, f"network-ports-{net.id}")["reader"]
        page = as_("alice").get(reverse("networks:router_detail", args=[router.id]))
        for element in (f"router-interfaces-{router.id}", f"router-head-{router.id}",
                        f"router-add-{router.id}", f"router-actions-{router.id}"):
            assert as_on_the_page(variants(pushed, project, element)["member"]) == \
                as_on_the_page(panel(page.content.decode(), element)), element
    finally:
        if list(alice.network.ports(device_id=router.id, network_id=net.id)):
            alice.network.remove_interface_from_router(router, subnet_id=subnet.id)
        alice.network.delete_router(router, ignore_missing=True)
        alice.network.delete_network(net, ignore_missing=True)


def test_a_server_booted_on_a_network_is_named_on_its_pushed_ports_panel(
        pushed, cloud, as_, admin_conn, prefix):
    """A server's port names the server (a link to its page), from the poller's one Nova
    list of every project's servers, exactly as the page names it from the project's."""
    alice = cloud.connect("alice")
    project = alice.current_project_id
    conn = service_connection()
    net = alice.network.create_network(name=prefix)
    alice.network.create_subnet(network_id=net.id, cidr="10.77.7.0/24", ip_version=4)
    poller.poll(conn)
    server = boot_server(alice, f"{prefix}-vm", net.id)
    poller.poll(conn)
    element = f"network-ports-{net.id}"
    pushed_panel = variants(pushed, project, element)["member"]
    assert f'href="/servers/{server.id}/">{server.name}</a>' in pushed_panel
    page = as_("alice").get(reverse("networks:detail", args=[net.id])).content.decode()
    assert as_on_the_page(pushed_panel) == as_on_the_page(panel(page, element))


def test_a_slow_poll_is_followed_by_a_pause_as_long(portal_settings):
    """A poll that took 4 s (a big real Neutron listing thousands of floating IPs) is
    due again no sooner than 4 s after it ended; a quick one a tick after it started."""
    pollstate.reset()
    try:
        t = time.time() + 1000
        pollstate.polled(t, now=t + 4)
        assert not pollstate.due(t + 4 + 3.5) and pollstate.due(t + 8)
        pollstate.polled(t, now=t + 0.05)
        assert not pollstate.due(t + 0.5) and pollstate.due(t + pollstate.INTERVAL)
    finally:
        pollstate.reset()


def test_a_poll_longer_than_its_lease_keeps_the_lock(portal_settings):
    """The lease is renewed while the poll runs: a second worker's tick finds it held
    after LEASE seconds, and it is free once the poll ends."""
    pollstate.reset()
    with pollstate.leased() as held:
        assert held
        time.sleep(pollstate.LEASE + 1)
        assert poller.tick(force=True) == {"polled": False,
                                           "reason": "another poll is running"}
    with pollstate.leased() as held:
        assert held
    pollstate.reset()
