"""Launch through the form in Chromium and watch it happen without reloading: list rows
go BUILD → ACTIVE, and a server's launch timeline fills in step by step (live portal +
Celery worker/beat pushing fragments over /ws/events/)."""

import uuid

import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def alice_network(cloud):
    conn = cloud.connect("alice")
    name = f"vb-{uuid.uuid4().hex[:6]}"
    net = conn.network.create_network(name=name)
    conn.network.create_subnet(network_id=net.id, name=f"{name}-subnet", cidr="10.63.0.0/24",
                               ip_version=4)
    yield net
    for s in conn.compute.servers():
        if s.name.startswith("vb-"):
            conn.compute.delete_server(s)
            conn.compute.wait_for_delete(s, wait=60)
    conn.network.delete_network(net)


@pytest.fixture
def slow_builds(cloud):
    """Builds that take long enough to watch (devcloud; a real cloud is slow anyway)."""
    if cloud.is_devcloud:
        before = cloud.devcloud.admin_api("GET", "config")["build_delay"]
        cloud.devcloud.admin_api("POST", "config", {"build_delay": 4})
        yield
        cloud.devcloud.admin_api("POST", "config", {"build_delay": before})
    else:
        yield


def fill_launch(page, live_portal, network, name, count):
    page.goto(f"{live_portal.url}/servers/launch/")
    page.fill("#id_name", name)
    page.fill("#id_count", str(count))
    for box in page.locator("input[name=networks]").all():
        box.set_checked(box.get_attribute("value") == network.id)
    page.click("[data-testid=launch-submit]")


def test_launch_and_watch_rows_and_timeline_live(page, live_portal, live_worker, cloud,
                                                 alice_network, slow_builds, tmp_path):
    browser_login(page, live_portal, cloud, "alice")
    name = f"vb-{uuid.uuid4().hex[:6]}"
    fill_launch(page, live_portal, alice_network, name, count=2)
    page.wait_for_url("**/servers/?name=*")
    rows = page.locator("tbody#server-rows tr[data-status]")
    assert rows.count() == 2
    page.evaluate("window.__notReloaded = true")
    statuses = page.locator("tbody#server-rows [data-testid=status]").all_inner_texts()
    assert statuses == ["BUILD", "BUILD"]
    page.wait_for_function(
        "() => [...document.querySelectorAll('tbody#server-rows tr[data-status]')]"
        ".every(r => r.dataset.status === 'ACTIVE')", timeout=30000)
    assert page.evaluate("window.__notReloaded") is True
    page.screenshot(path=tmp_path / "rows-active.png")

    fill_launch(page, live_portal, alice_network, f"{name}-one", count=1)
    page.wait_for_selector("[data-testid=timeline]")
    page.evaluate("window.__notReloaded = true")
    assert page.locator("li[data-step=active].done").count() == 0
    page.wait_for_selector("li[data-step=port_created].done", timeout=30000)
    page.wait_for_selector("li[data-step=active].done", timeout=30000)
    page.wait_for_selector("[data-testid=server-status]:text('ACTIVE')")
    page.wait_for_selector("li[data-step=dhcp_lease].done" if cloud.is_devcloud
                           else "li[data-step=dhcp_lease]", timeout=30000)
    assert page.evaluate("window.__notReloaded") is True
    mac = page.locator("li[data-step=port_created] [data-testid=step-detail]").inner_text()
    assert mac.startswith("MAC fa:16:3e:")
    page.screenshot(path=tmp_path / "timeline.png")


def test_new_private_key_downloads_as_a_pem_file(page, live_portal, cloud, tmp_path):
    """The page that shows a new private key once offers it as a file too (made in the
    page from that one answer: nothing is kept server-side)."""
    name = f"vb-key-{uuid.uuid4().hex[:6]}"
    browser_login(page, live_portal, cloud, "alice")
    page.goto(f"{live_portal.url}/servers/keypairs/")
    page.fill("#id_name", name)
    page.click("[data-testid=keypair-form] button[type=submit]")
    try:
        shown = page.locator("[data-testid=private-key]").inner_text()
        with page.expect_download() as info:
            page.click("[data-testid=download-key]")
        download = info.value
        assert download.suggested_filename == f"{name}.pem"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        assert saved.read_text() == shown
        assert saved.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    finally:
        cloud.connect("alice").compute.delete_keypair(name, ignore_missing=True)
