"""Servers made, changed and deleted outside the portal (with openstacksdk, as the
`openstack` CLI would) show up on open pages without a reload: the instances list gains
the row where it belongs and only when it matches the page's filter, loses it when the
server is deleted; a detail page's addresses and ports fill in. The poller's one
changes-since call per tick is all that reaches the cloud (portal/live.py,
static/js/live-rows.js)."""

import uuid

import pytest

from tests.browser.live import Outside, watch
from tests.conftest import browser_login

pytestmark = pytest.mark.browser
WAIT = 45000  # ms: a real cloud's boot, and a poll after it


@pytest.fixture
def outside(cloud):
    """alice's servers made with the SDK on a network of the test's own; whatever is left
    is deleted afterwards."""
    conn = cloud.connect("alice")
    name = f"lv-{uuid.uuid4().hex[:6]}"
    net = conn.network.create_network(name=name)
    conn.network.create_subnet(network_id=net.id, cidr="10.65.0.0/24", ip_version=4)
    boot = Outside(cloud, "alice", name, networks=[{"uuid": net.id}])
    yield boot
    boot.clean()
    conn.network.delete_network(net)


def row(server_id: str) -> str:
    return f"tbody#server-rows tr#server-{server_id}"


def test_a_server_made_outside_appears_in_the_open_list_and_goes_when_deleted(
        page, live_portal, live_worker, cloud, outside):
    browser_login(page, live_portal, cloud, "alice")
    errors = watch(page, f"{live_portal.url}/servers/")
    older = outside(f"{outside.prefix}-older")
    page.wait_for_selector(row(older.id), timeout=WAIT)
    newer = outside(f"{outside.prefix}-newer")
    page.wait_for_selector(f"{row(newer.id)}[data-status=ACTIVE]", timeout=WAIT)
    page.wait_for_selector(f"{row(older.id)}[data-status=ACTIVE]", timeout=WAIT)
    # Nova's order, newest first: the newer row sits above the older one.
    ids = page.eval_on_selector_all("tbody#server-rows tr[data-live-key]",
                                    "rows => rows.map(r => r.id)")
    assert ids.index(f"server-{newer.id}") < ids.index(f"server-{older.id}")
    assert page.locator(f"{row(newer.id)} a[href$='/{newer.id}/']").inner_text() == newer.name
    outside.conn.compute.delete_server(newer)
    page.wait_for_selector(row(newer.id), state="detached", timeout=WAIT)
    assert page.locator(row(older.id)).count() == 1
    assert page.evaluate("window.__notReloaded") is True
    assert not [e for e in errors if "oobErrorNoTarget" in e], errors


def test_a_filtered_list_gains_only_the_servers_that_match(page, live_portal, live_worker,
                                                           cloud, outside):
    browser_login(page, live_portal, cloud, "alice")
    # Nova's name filter is a regular expression, case-insensitive on a real Nova.
    watch(page, f"{live_portal.url}/servers/?name={outside.prefix.upper()}-MATCH")
    other = outside(f"{outside.prefix}-other")
    outside.conn.compute.wait_for_server(other, wait=120)
    match = outside(f"{outside.prefix}-match")
    page.wait_for_selector(f"{row(match.id)}[data-status=ACTIVE]", timeout=WAIT)
    # The poller saw `other` (made, and ACTIVE, first) no later than `match`.
    assert page.locator(row(other.id)).count() == 0
    assert page.locator("[data-live-empty]").is_hidden()
    assert page.evaluate("window.__notReloaded") is True


def test_a_status_filtered_list_keeps_a_row_that_stops_matching_marked(
        page, live_portal, live_worker, cloud, outside):
    server = outside(f"{outside.prefix}-stop")
    outside.conn.compute.wait_for_server(server, wait=120)
    browser_login(page, live_portal, cloud, "alice")
    watch(page, f"{live_portal.url}/servers/?status=ACTIVE&name={outside.prefix}")
    page.wait_for_selector(row(server.id))
    outside.conn.compute.stop_server(server)
    page.wait_for_selector(f"{row(server.id)}[data-status=SHUTOFF].live-unmatched",
                           timeout=WAIT)
    assert page.evaluate("window.__notReloaded") is True


def test_a_later_page_gains_no_new_server(page, live_portal, live_worker, cloud, outside):
    first = outside(f"{outside.prefix}-first")
    outside.conn.compute.wait_for_server(first, wait=120)
    browser_login(page, live_portal, cloud, "alice")
    # A page reached by a marker (another server's id): not the first page, so a server
    # newer than everything on it belongs on the first page, not here.
    watch(page, f"{live_portal.url}/servers/?name={outside.prefix}&marker={first.id}")
    assert page.locator("tbody#server-rows").get_attribute("data-live-first") is None
    first_page = page.context.new_page()
    watch(first_page, f"{live_portal.url}/servers/?name={outside.prefix}")
    newer = outside(f"{outside.prefix}-second")
    first_page.wait_for_selector(f"{row(newer.id)}[data-status=ACTIVE]", timeout=WAIT)
    # Both pages heard the same fragments; only the first page took the row.
    assert page.locator(row(newer.id)).count() == 0
    assert page.evaluate("window.__notReloaded") is True


def test_the_detail_page_fills_in_addresses_and_ports_without_a_reload(
        page, live_portal, live_worker, cloud, outside, slow_builds):
    browser_login(page, live_portal, cloud, "alice")
    server = outside(f"{outside.prefix}-detail")
    errors = watch(page, f"{live_portal.url}/servers/{server.id}/")
    page.wait_for_selector("[data-testid=ports] [data-testid=mac]", timeout=WAIT)
    page.wait_for_selector("[data-testid=server-status]:text('ACTIVE')", timeout=WAIT)
    port = next(outside.conn.network.ports(device_id=server.id))
    ip = port.fixed_ips[0]["ip_address"]
    page.wait_for_selector(f"[data-testid=addresses] code:text-is('{ip}')", timeout=WAIT)
    assert page.locator("[data-testid=ports] [data-testid=mac]").inner_text() == \
        port.mac_address
    assert page.locator("[data-testid=ports] [data-testid=fixed-ip]").inner_text() == ip
    # The network is named as Nova names it, without a networks call.
    assert outside.prefix in page.locator("[data-testid=ports] tbody tr").inner_text()
    assert page.locator("[data-testid=security-groups]").inner_text() == "default"
    # Launched elsewhere without a floating IP: neither the form's steps nor a floating
    # IP step are promised.
    for step in ("network_chosen", "requested", "floating_ip"):
        assert page.locator(f"li[data-step={step}]").count() == 0
    assert page.evaluate("window.__notReloaded") is True
    assert not [e for e in errors if "oobErrorNoTarget" in e], errors


@pytest.fixture
def slow_builds(cloud):
    """Builds long enough that the detail page is open before the port exists (devcloud;
    a real cloud takes its seconds anyway)."""
    if cloud.is_devcloud:
        before = cloud.devcloud.admin_api("GET", "config")["build_delay"]
        cloud.devcloud.admin_api("POST", "config", {"build_delay": 4})
        yield
        cloud.devcloud.admin_api("POST", "config", {"build_delay": before})
    else:
        yield
