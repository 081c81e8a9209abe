"""Resize by clicking, in Chromium: the detail page's Resize… button, the flavor picker
showing what changes, the resize sent; the page then offers Confirm resize (live portal
+ Celery worker/beat following Nova's task_state to VERIFY_RESIZE) and confirming it leaves
the server ACTIVE on its new flavor."""

import uuid

import pytest

from tests.conftest import browser_login
from tests.vms.helpers import wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def resizable(cloud):
    """alice's server on m1.tiny, and a second flavor to resize it to."""
    admin = cloud.connect("admin")
    conn = cloud.connect("alice")
    name = f"vr-{uuid.uuid4().hex[:6]}"
    flavor = admin.compute.create_flavor(name=f"{name}-f", ram=640, vcpus=2, disk=2)
    net = conn.network.create_network(name=name)
    conn.network.create_subnet(network_id=net.id, name=f"{name}-subnet", cidr="10.66.0.0/24",
                               ip_version=4)
    image = conn.image.find_image("cirros")
    server = conn.compute.wait_for_server(conn.compute.create_server(
        name=name, flavor_id="1", image_id=image.id, networks=[{"uuid": net.id}]), wait=90)
    yield server, flavor
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=60)
    conn.network.delete_network(net)
    admin.compute.delete_flavor(flavor)


def test_resize_then_confirm_by_clicking(page, live_portal, live_worker, cloud, resizable):
    server, flavor = resizable
    browser_login(page, live_portal, cloud, "alice")
    page.goto(f"{live_portal.url}/servers/{server.id}/")
    with page.expect_navigation():
        page.click("[data-testid=resize]")
    row = page.locator(f"tr[data-flavor='{flavor.name}']")
    assert "1 → 2" in row.locator("[data-testid=change-vcpus]").inner_text()
    assert "512 → 640 MiB" in row.locator("[data-testid=change-ram]").inner_text()
    row.locator("input[type=radio]").check()
    with page.expect_navigation():
        page.click("[data-testid=day-submit]")
    assert f"Resize of {server.name} requested" in page.inner_text("main")
    # The worker's poller follows Nova to VERIFY_RESIZE; the page is asked again until its
    # buttons offer the confirmation (a reload: the buttons are the page's, not pushed).
    def offered():
        page.reload()
        return page.locator("[data-testid=confirm_resize]").count() == 1
    wait_for(offered, timeout=90, interval=2, what="Confirm resize offered")
    with page.expect_navigation():
        page.click("[data-testid=confirm_resize]")
    conn = cloud.connect("alice")
    done = wait_for(lambda: (s := conn.compute.get_server(server.id)).status == "ACTIVE"
                    and not s.task_state and s, timeout=90, what="ACTIVE after confirm")
    assert done.flavor.original_name == flavor.name
