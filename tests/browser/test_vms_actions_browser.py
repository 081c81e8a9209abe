"""A list row's action menu with the keyboard only, in Chromium: open the menu, open the
Stop confirmation, cancel it (Cancel, then Escape: the focus goes back to the button),
confirm it; then the row goes SHUTOFF without a reload and its re-rendered menu offers
Start (live portal + Celery worker/beat pushing the row over /ws/events/)."""

import uuid

import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def alices_server(cloud):
    conn = cloud.connect("alice")
    name = f"va-{uuid.uuid4().hex[:6]}"
    net = conn.network.create_network(name=name)
    conn.network.create_subnet(network_id=net.id, name=f"{name}-subnet", cidr="10.64.0.0/24",
                               ip_version=4)
    image = conn.image.find_image("cirros")
    server = conn.compute.create_server(name=name, flavor_id="1", image_id=image.id,
                                        networks=[{"uuid": net.id}])
    server = conn.compute.wait_for_server(server, wait=90)
    yield server
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=60)
    conn.network.delete_network(net)


def focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.dataset.testid")


def test_stop_from_the_row_menu_with_the_keyboard(page, live_portal, live_worker, cloud,
                                                  alices_server):
    server = alices_server
    browser_login(page, live_portal, cloud, "alice")
    page.goto(f"{live_portal.url}/servers/?name={server.name}")
    row = page.locator(f"#server-{server.id}")
    row.locator("[data-testid=select]").focus()
    page.keyboard.press("Tab")  # past the row's links to its menu button
    while focused(page) != "row-menu-button":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert row.locator("details.row-menu").get_attribute("open") is not None
    page.keyboard.press("Tab")
    assert focused(page) == "stop"
    page.keyboard.press("Enter")
    confirmation = row.locator("[data-testid=stop-confirmation]")
    assert confirmation.get_attribute("open") is not None
    assert "anything not saved to disk is lost" in confirmation.inner_text()
    page.keyboard.press("Tab")
    assert focused(page) == "stop-confirm"
    page.keyboard.press("Tab")  # Cancel
    page.keyboard.press("Enter")
    assert confirmation.get_attribute("open") is None and focused(page) == "stop"
    page.keyboard.press("Enter")
    assert confirmation.get_attribute("open") is not None
    page.keyboard.press("Escape")
    assert confirmation.get_attribute("open") is None and focused(page) == "stop"
    assert cloud.connect("alice").compute.get_server(server.id).status == "ACTIVE"

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page) == "stop-confirm"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"Stop requested for {server.name}." in page.inner_text("main")
    assert page.url.endswith(f"/servers/?name={server.name}")  # back to the same list
    page.evaluate("window.__notReloaded = true")
    row = page.locator(f"#server-{server.id}")
    page.locator(f"#server-{server.id}[data-status=SHUTOFF]").wait_for(timeout=60_000)
    assert page.evaluate("window.__notReloaded") is True
    assert row.locator("[data-testid=start]").count() == 1
    assert row.locator("[data-testid=stop]").count() == 0
