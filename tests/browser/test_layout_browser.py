"""The layout on a phone (390 px wide): the menu is a button that opens the sidebar, and
wide tables scroll inside their own box, never the page sideways."""

import time

import pytest

from tests.conftest import browser_login
from tests.consoles import live

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def long_named(cloud):
    """A server (and its network, `<name>-net`) with a long name without spaces."""
    name = f"layout-{int(time.time()) % 10000}-" + "averyveryverylongname" * 3
    with live.server(cloud, "alice", name=name) as srv:
        yield srv


def test_menu_is_collapsed_on_a_phone_and_opens_on_click(page, live_portal, cloud):
    browser_login(page, live_portal, cloud, "alice")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_portal.url}/servers/")
    toggle = page.locator("[data-testid=menu-toggle]")
    menu = page.locator("nav#main-menu")
    assert toggle.is_visible() and not menu.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert menu.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert menu.locator('a[aria-current="page"]').all_inner_texts() == ["Instances"]
    toggle.click()
    assert not menu.is_visible()
    # On a wide screen the sidebar is always there and the button is not.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert menu.is_visible() and not toggle.is_visible()
    assert page.get_attribute("link[rel=icon]", "href") == "/static/img/favicon.svg"


@pytest.mark.parametrize("path", ["/servers/", "/network/"])
def test_wide_tables_scroll_in_their_box_not_the_page(page, live_portal, cloud, long_named,
                                                      path):
    browser_login(page, live_portal, cloud, "alice")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_portal.url}{path}")
    name = long_named.name if path == "/servers/" else f"{long_named.name}-net"
    assert page.get_by_text(name, exact=True).count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The table is wider than the phone and scrolls inside its own box.
    box = page.evaluate("""() => { const t = document.querySelector('table.data');
        return [t.scrollWidth, t.clientWidth, getComputedStyle(t).overflowX]; }""")
    assert box[0] > box[1] and box[2] == "auto", box
