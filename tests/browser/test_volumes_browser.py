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


def test_launch_from_a_new_volume_and_watch_its_timeline(page, live_portal, live_worker, cloud,
                                                         prefix, networks, image_id):
    """The launch form's boot source in Chromium: a new 1 GB volume from the image, deleted
    with the server; the timeline shows the root volume's steps as the worker sees them,
    and Nova made and attached the volume."""
    conn = cloud.connect("alice")
    name = f"{prefix}-bfv"
    browser_login(page, live_portal, cloud, "alice")
    page.goto(f"{live_portal.url}/servers/launch/")
    page.fill("#id_name", name)
    page.select_option("#id_image", image_id)
    # only the chosen source's fields show (static/js/boot-source.js)
    assert page.is_hidden("#id_volume_size") and page.is_hidden("#id_boot_volume")
    page.select_option("#id_boot_source", "volume")
    assert page.is_visible("#id_boot_volume") and page.is_hidden("#id_image")
    page.select_option("#id_boot_source", "new_volume")
    assert page.is_visible("#id_volume_size") and page.is_hidden("#id_boot_snapshot")
    page.fill("#id_volume_size", "1")
    page.set_checked("#id_delete_on_termination", True)
    for box in page.locator("input[name=networks]").all():
        box.set_checked(box.get_attribute("value") == networks["alice"]["network"].id)
    page.click("[data-testid=launch-submit]")
    page.wait_for_selector("[data-testid=timeline]")
    requested = page.locator("li[data-step=root_volume] [data-testid=step-detail]")
    assert requested.inner_text() == "new 1 GB volume from image cirros, deleted with the " \
                                     "server"
    page.wait_for_selector("li[data-step=volume_attached].done", timeout=90000)
    page.wait_for_selector("li[data-step=active].done", timeout=90000)
    server_id = page.url.rstrip("/").rsplit("/", 1)[1]
    (attached,) = conn.compute.get_server(server_id).attached_volumes
    detail = page.locator("li[data-step=volume_attached] [data-testid=step-detail]")
    assert detail.inner_text() == f"volume {attached['id']}, deleted with the server"
    vol = conn.block_storage.get_volume(attached["id"])
    assert vol.is_bootable and vol.size == 1
    conn.compute.delete_server(server_id)
    conn.compute.wait_for_delete(conn.compute.get_server(server_id), wait=90)
    conn.block_storage.wait_for_delete(vol, wait=90, interval=0.3)
