"""The admins' pages follow every project without a reload: the all-projects instances
list gains another project's server made with openstacksdk (as the `openstack` CLI
would) when it matches the page's filter, and loses it when deleted; the floating IP
pools page shows a pool's usage change when a tenant allocates and releases an address."""

import uuid

import pytest

from tests.browser.live import Outside, not_reloaded_and_clean, seconds_until, watch
from tests.conftest import browser_login

pytestmark = pytest.mark.browser
WAIT = 45000  # ms: a real cloud's boot, and a poll after it


@pytest.fixture
def prefix():
    return f"lva-{uuid.uuid4().hex[:6]}"


def row(server_id: str) -> str:
    return f"tbody#admin-server-rows tr#admin-server-{server_id}"


def test_the_all_projects_list_gains_and_loses_a_server_that_matches_its_filter(
        page, live_portal, live_worker, cloud, prefix):
    bobs, alices = Outside(cloud, "bob", prefix), Outside(cloud, "alice", prefix)
    try:
        browser_login(page, live_portal, cloud, "admin")
        project = bobs.conn.current_project_id
        errors = watch(page, f"{live_portal.url}/servers/admin/?project={project}")
        other = alices(f"{prefix}-alice")
        alices.conn.compute.wait_for_server(other, wait=120)
        server = bobs(f"{prefix}-bob")
        took = seconds_until(page, f"{row(server.id)}[data-status=ACTIVE]", WAIT)
        print(f"\nserver made with the SDK -> ACTIVE on the admins' list: {took:.2f} s")
        # The poller saw alice's server (made, and ACTIVE, first): not this page's project.
        assert page.locator(row(other.id)).count() == 0
        text = page.locator(row(server.id)).inner_text()
        assert server.name in text and "Stop" in text    # its actions, as rendered
        bobs.conn.compute.delete_server(server)
        page.wait_for_selector(row(server.id), state="detached", timeout=WAIT)
        not_reloaded_and_clean(page, errors)
    finally:
        bobs.clean()
        alices.clean()


def test_the_pools_page_shows_a_pools_usage_change(page, live_portal, live_worker, cloud):
    alice = cloud.connect("alice")
    pool = alice.network.find_network("public")
    usage = f"tbody#pool-rows tr#pool-{pool.id} [data-testid=usage]"
    browser_login(page, live_portal, cloud, "admin")
    errors = watch(page, f"{live_portal.url}/network/pools/")
    before = page.locator(usage).inner_text()
    fip = alice.network.create_ip(floating_network_id=pool.id)
    try:
        page.wait_for_function("([sel, was]) => document.querySelector(sel).innerText !== was",
                               arg=[usage, before], timeout=WAIT)
        used = int(page.locator(usage).inner_text().split(" / ")[0])
        assert used == int(before.split(" / ")[0]) + 1
    finally:
        alice.network.delete_ip(fip)
    page.wait_for_function("([sel, was]) => document.querySelector(sel).innerText === was",
                           arg=[usage, before], timeout=WAIT)
    not_reloaded_and_clean(page, errors)


def test_the_flavors_page_gains_and_loses_a_flavor_made_outside(page, live_portal,
                                                                live_worker, cloud, prefix):
    """A flavor made with openstacksdk appears in the page's order (by vCPUs first) and
    goes when deleted (vms.flavor_poller: one Nova list every 5 s)."""
    admin = cloud.connect("admin")
    browser_login(page, live_portal, cloud, "admin")
    errors = watch(page, f"{live_portal.url}/servers/admin/flavors/")
    flavor = admin.compute.create_flavor(name=f"{prefix}-huge", id=prefix, vcpus=97,
                                         ram=512, disk=1)
    try:
        took = seconds_until(page, f"tbody#flavor-rows tr#flavor-{prefix}", WAIT)
        print(f"\nflavor made with the SDK -> row on the admins' flavors list: {took:.2f} s")
        ids = page.eval_on_selector_all("tbody#flavor-rows tr[data-live-key]",
                                        "rows => rows.map(r => r.id)")
        assert ids[-1] == f"flavor-{prefix}"  # the most vCPUs: last
        assert "97" in page.locator(f"tr#flavor-{prefix}").inner_text()
        admin.compute.delete_flavor(flavor)
        page.wait_for_selector(f"tr#flavor-{prefix}", state="detached", timeout=WAIT)
        not_reloaded_and_clean(page, errors)
    finally:
        admin.compute.delete_flavor(prefix, ignore_missing=True)
