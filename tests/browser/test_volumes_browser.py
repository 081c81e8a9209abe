"""By clicking in Chromium: Storage → Volumes, create one, see it turn available on the list
(the volumes poller, in the worker, pushes the row),
delete it asking first in the page; and the server detail's attached-volumes panel
loading after the page (htmx, under the CSP), attaching a volume from it."""

import pytest

from tests.conftest import browser_login
from tests.volumes import conftest as volume_fixtures

pytestmark = pytest.mark.browser
admin_conn, prefix = volume_fixtures.admin_conn, volume_fixtures.prefix   # the fixtures
make_volume, networks = volume_fixtures.make_volume, volume_fixtures.networks
image_id = volume_fixtures.image_id


def test_create_then_delete_asks_first(page, live_portal, live_worker, cloud, prefix):
    name = f"{prefix}-browser"
    browser_login(page, live_portal, cloud, "alice")
    page.click("nav.sidebar >> text=Volumes")
    page.click("[data-testid=create-volume]")
    assert "GB" in page.inner_text("[data-testid=volume-quota]")
    page.fill("#id_name", name)
    page.fill("#id_size", "1")
    page.click("[data-testid=create-submit]")
    page.wait_for_selector("[data-testid=volume-facts]")
    page.click("nav.sidebar >> text=Volumes")
    row = page.locator("tr[data-testid=volume-row]", has_text=name)
    row.locator("[data-testid=volume-status]", has_text="available").wait_for(timeout=30000)
    row.locator("[data-testid=volume-name]").click()
    page.click("[data-testid=delete]")
    assert "cannot be undone" in page.inner_text("[data-testid=delete-confirmation]")
    page.click("[data-testid=delete-confirm]")
    page.wait_for_selector("[data-testid=volumes]")
    assert "is being deleted" in page.inner_text("main")


def test_server_detail_panel_attaches(page, live_portal, cloud, prefix, make_volume, networks,
                                      image_id):
    conn = cloud.connect("alice")
    vol = make_volume("alice", "-bpanel")
    server = conn.compute.create_server(name=f"{prefix}-bsrv", flavor_id="1",
                                        image_id=image_id,
                                        networks=[{"uuid": networks["alice"]["network"].id}])
    server = conn.compute.wait_for_server(server, wait=120, interval=0.5)
    browser_login(page, live_portal, cloud, "alice")
    page.goto(f"{live_portal.url}/servers/{server.id}/")
    panel = page.locator("[data-testid=server-volumes-panel]")
    panel.wait_for(timeout=15000)
    assert "No volumes attached." in panel.inner_text()
    page.select_option("[data-testid=server-attach-form] select", vol.id)
    page.click("[data-testid=server-attach]")
    page.wait_for_url(f"**/servers/{server.id}/")
    assert "is being attached as /dev/" in page.inner_text("main")
    volume_fixtures.settled(conn, vol.id, "in-use")
    page.reload()
    panel.locator("[data-testid=device]").wait_for(timeout=15000)
    assert vol.name in panel.inner_text()
