"""Networks made, changed and deleted outside the portal (with openstacksdk, as the
`openstack` CLI would) show up on an open networks list without a reload: the row
appears in name order, gains its subnet, and goes when the network is deleted; an open
network or security group detail page gains the subnet, port or rule made outside. The
networks poller's id/revision list per kind and tick is all that reaches the cloud."""

import uuid

import pytest

from tests.browser.live import not_reloaded_and_clean, watch
from tests.conftest import browser_login

pytestmark = pytest.mark.browser
WAIT = 20000  # ms: a poll a second, and a loaded machine


def row(network_id: str) -> str:
    return f"tbody#network-rows tr#network-{network_id}"


def test_a_network_made_outside_appears_in_the_open_list_and_goes_when_deleted(
        page, live_portal, live_worker, cloud):
    conn = cloud.connect("alice")
    prefix = f"lvn-{uuid.uuid4().hex[:6]}"
    made = []
    try:
        browser_login(page, live_portal, cloud, "alice")
        errors = watch(page, f"{live_portal.url}/network/")
        later = conn.network.create_network(name=f"{prefix}-b")
        made.append(later)
        page.wait_for_selector(row(later.id), timeout=WAIT)
        earlier = conn.network.create_network(name=f"{prefix}-a")
        made.append(earlier)
        page.wait_for_selector(row(earlier.id), timeout=WAIT)
        # The page's order (name, ascending): -a sits above -b.
        ids = page.eval_on_selector_all("tbody#network-rows tr[data-live-key]",
                                        "rows => rows.map(r => r.id)")
        assert ids.index(f"network-{earlier.id}") < ids.index(f"network-{later.id}")
        assert page.locator(f"{row(later.id)} a[href$='/{later.id}/']").inner_text() == \
            later.name

        conn.network.create_subnet(network_id=later.id, cidr="10.78.1.0/24", ip_version=4)
        page.wait_for_selector(f"{row(later.id)} code:text('10.78.1.0/24')", timeout=WAIT)

        conn.network.delete_network(later)
        made.remove(later)
        page.wait_for_selector(row(later.id), state="detached", timeout=WAIT)
        assert page.locator(row(earlier.id)).count() == 1
        assert page.evaluate("window.__notReloaded") is True
        assert not [e for e in errors if "oobErrorNoTarget" in e], errors
    finally:
        for net in made:
            conn.network.delete_network(net, ignore_missing=True)


def test_a_router_and_a_security_group_made_outside_follow_on_their_open_lists(
        page, live_portal, live_worker, cloud):
    """Two pages open side by side (routers, security groups): each gains its row, shows
    the change made to it (an interface, a rule) and loses it on deletion."""
    conn = cloud.connect("alice")
    name = f"lvn-{uuid.uuid4().hex[:6]}"
    net = conn.network.create_network(name=name)
    subnet = conn.network.create_subnet(network_id=net.id, cidr="10.78.2.0/24", ip_version=4)
    router = group = None
    try:
        browser_login(page, live_portal, cloud, "alice")
        groups_page = page.context.new_page()
        watch(page, f"{live_portal.url}/network/routers/")
        watch(groups_page, f"{live_portal.url}/network/security-groups/")
        router = conn.network.create_router(name=name)
        group = conn.network.create_security_group(name=name)
        page.wait_for_selector(f"tbody#router-rows tr#router-{router.id}", timeout=WAIT)
        groups_page.wait_for_selector(f"tbody#sg-rows tr#sg-{group.id}", timeout=WAIT)

        conn.network.add_interface_to_router(router, subnet_id=subnet.id)
        page.wait_for_selector(f"tr#router-{router.id} code:text('10.78.2.1')", timeout=WAIT)
        conn.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", protocol="tcp",
            port_range_min=22, port_range_max=22)
        rules = len(conn.network.get_security_group(group.id).security_group_rules)
        groups_page.wait_for_selector(f"tr#sg-{group.id} td:text-is('{rules}')", timeout=WAIT)

        conn.network.remove_interface_from_router(router, subnet_id=subnet.id)
        conn.network.delete_router(router)
        conn.network.delete_security_group(group)
        page.wait_for_selector(f"tr#router-{router.id}", state="detached", timeout=WAIT)
        groups_page.wait_for_selector(f"tr#sg-{group.id}", state="detached", timeout=WAIT)
        assert page.evaluate("window.__notReloaded") is True
        assert groups_page.evaluate("window.__notReloaded") is True
    finally:
        if router is not None:
            conn.network.delete_router(router, ignore_missing=True)
        if group is not None:
            conn.network.delete_security_group(group, ignore_missing=True)
        conn.network.delete_network(net, ignore_missing=True)


def test_open_detail_pages_gain_a_subnet_a_port_and_a_rule_made_outside(
        page, live_portal, live_worker, cloud):
    """A network's page gains a subnet (with the member's actions) and a port, a
    security group's page a rule, each in its panel; the pushed rule's Remove, a form
    rendered without a request, works with the page's CSRF token."""
    conn = cloud.connect("alice")
    name = f"lvn-{uuid.uuid4().hex[:6]}"
    net = conn.network.create_network(name=name)
    group = conn.network.create_security_group(name=name)
    port = None
    try:
        browser_login(page, live_portal, cloud, "alice")
        errors = watch(page, f"{live_portal.url}/network/networks/{net.id}/")
        conn.network.create_subnet(network_id=net.id, cidr="10.78.3.0/24", ip_version=4)
        subnets = f"#network-subnets-{net.id}"
        page.wait_for_selector(f"{subnets} code:text('10.78.3.0/24')", timeout=WAIT)
        assert page.locator(f"{subnets} [data-testid=delete-subnet]").count() == 1
        port = conn.network.create_port(network_id=net.id, name=name)
        page.wait_for_selector(f"#network-ports-{net.id} tr[data-port='{port.id}']",
                               timeout=WAIT)
        not_reloaded_and_clean(page, errors)

        errors = watch(page, f"{live_portal.url}/network/security-groups/{group.id}/")
        rule = conn.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", protocol="tcp",
            port_range_min=8443, port_range_max=8443)
        row = f"#sg-rules-{group.id} tr[data-rule='{rule.id}']"
        page.wait_for_selector(row, timeout=WAIT)
        not_reloaded_and_clean(page, errors)
        page.click(f"{row} [data-testid=delete-rule]")
        page.click(f"{row} [data-testid=delete-rule-confirm]")
        page.wait_for_selector("text=Rule removed.", timeout=WAIT)
        assert rule.id not in {r["id"] for r in
                               conn.network.get_security_group(group.id).security_group_rules}
    finally:
        if port is not None:
            conn.network.delete_port(port, ignore_missing=True)
        conn.network.delete_security_group(group, ignore_missing=True)
        conn.network.delete_network(net, ignore_missing=True)
