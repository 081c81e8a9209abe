"""In-page confirmations (templates/partials/confirm.html, static/js/confirm.js) in
Chromium: a delete done with the keyboard alone (open, Escape, Cancel, open, confirm), one
done with the mouse on a phone-wide screen inside a table row (the panel stays on the
screen, one open at a time, a click elsewhere closes it), and a row that arrived over the
WebSocket whose Delete still asks and works."""

import uuid

import pytest

from tests.conftest import browser_login
from tests.networks.helpers import make_pool, sweep, unique

pytestmark = pytest.mark.browser

PUBLIC = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFqq5t3W3yZxwq0cIvdiV0GoQm+fi6eY4z2mSxQwS8X0 "
          "cb@test")

FOCUSED = "() => document.activeElement && document.activeElement.dataset.testid"
IN_VIEW = """(sel) => {
  const panel = document.querySelector(sel);
  const r = panel.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
          seen: panel.contains(hit), viewWidth: document.documentElement.clientWidth,
          pageWidth: document.documentElement.scrollWidth};
}"""


def tab_to(page, testid: str, most: int = 80) -> None:
    """Tab through the page until the element with this data-testid has the focus."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == testid:
            return
    raise AssertionError(f"Tab never reached [data-testid={testid}]")


def is_open(page, testid: str) -> bool:
    return page.locator(f"[data-testid={testid}-confirmation]").evaluate("d => d.open")


def test_delete_a_security_group_with_the_keyboard_alone(page, live_portal, cloud):
    conn = cloud.connect("alice")
    group = conn.network.create_security_group(name=unique("cb-sg"))
    try:
        browser_login(page, live_portal, cloud, "alice")
        page.goto(f"{live_portal.url}/network/security-groups/{group.id}/")
        panel = page.locator("[data-testid=delete-group-confirmation] .confirm-panel")

        tab_to(page, "delete-group")
        page.keyboard.press("Enter")                        # opens, says what goes
        assert panel.is_visible()
        assert f"The security group “{group.name}” and its 2 rules are deleted." in \
            panel.inner_text()
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED) == "delete-group-confirm"
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.hasAttribute('data-confirm-cancel')")
        page.keyboard.press("Escape")                       # closes, focus back on the button
        assert not is_open(page, "delete-group") and not panel.is_visible()
        assert page.evaluate(FOCUSED) == "delete-group"

        page.keyboard.press(" ")                            # Space opens it too
        assert is_open(page, "delete-group")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")                        # Cancel, from the keyboard
        assert not is_open(page, "delete-group")
        assert page.evaluate(FOCUSED) == "delete-group"
        assert conn.network.find_security_group(group.id) is not None  # nothing was sent

        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")                    # confirmed
        assert page.url.endswith("/network/security-groups/")
        assert f"Security group “{group.name}” deleted." in page.inner_text(".messages")
        assert conn.network.find_security_group(group.id) is None
    finally:
        if conn.network.find_security_group(group.id) is not None:
            conn.network.delete_security_group(group)


@pytest.fixture
def two_floating_ips(cloud):
    admin = cloud.connect("admin")
    name = unique("cb")
    third = 100 + int(uuid.uuid4().hex[:2], 16) % 100
    pool = make_pool(admin, f"{name}-pool", f"198.18.{third}.0/24", f"198.18.{third}.10",
                     f"198.18.{third}.20")
    conn = cloud.connect("alice")
    fips = sorted((conn.network.create_ip(floating_network_id=pool.id) for _ in range(2)),
                  key=lambda f: tuple(int(x) for x in f.floating_ip_address.split(".")))
    yield conn, fips
    sweep(admin, name, pool_ids=[pool.id])


def test_release_a_floating_ip_with_the_mouse_on_a_phone(browser, live_portal, cloud,
                                                         two_floating_ips):
    conn, (first, second) = two_floating_ips
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        browser_login(page, live_portal, cloud, "alice")
        page.goto(f"{live_portal.url}/network/floating-ips/")
        row = lambda f: f"tr[data-fip='{f.floating_ip_address}']"  # noqa: E731
        button = lambda f: f"{row(f)} [data-testid=release]"  # noqa: E731
        panel = lambda f: f"{row(f)} [data-testid=release-confirmation] .confirm-panel"  # noqa: E731

        page.click(button(first))
        placed = page.evaluate(IN_VIEW, panel(first))
        # On the screen although the table scrolls in its own box and the button sits past
        # the right edge of a 390 px screen; the page does not scroll sideways for it.
        assert placed["seen"], placed
        assert 0 <= placed["left"] and placed["right"] <= placed["viewWidth"], placed
        assert placed["pageWidth"] <= 390, placed
        assert f"{first.floating_ip_address} goes back to the pool" in \
            page.inner_text(panel(first))

        page.click("h1")                                    # a click elsewhere closes it
        assert not page.locator(panel(first)).is_visible()
        page.click(button(second))     # (the open panel lies over the rows below its own)
        page.click(button(first))                           # one open at a time
        assert page.locator(panel(first)).is_visible()
        assert not page.locator(panel(second)).is_visible()
        page.click("h1")

        page.click(button(first))
        page.click(f"{panel(first)} [data-confirm-cancel]")
        assert not page.locator(panel(first)).is_visible()
        assert page.evaluate(FOCUSED) == "release"
        assert conn.network.find_ip(first.id) is not None

        page.click(button(first))
        page.click(f"{panel(first)} [data-testid=release-confirm]")
        page.wait_for_selector(f"text={first.floating_ip_address} released to its pool.")
        assert conn.network.find_ip(first.id) is None
        assert conn.network.find_ip(second.id) is not None
    finally:
        context.close()


def test_a_key_pair_row_that_came_live_still_asks_and_deletes(page, live_portal, cloud):
    """The row another tab's import pushes over /ws/events/ is rendered without a request
    (no CSRF token of its own): its confirmation still opens and its form still posts."""
    name = f"cb-key-{uuid.uuid4().hex[:6]}"
    conn = cloud.connect("alice")
    page.add_init_script(
        "document.addEventListener('htmx:wsOpen', () => { window.__wsOpen = true; });")
    try:
        browser_login(page, live_portal, cloud, "alice")
        page.goto(f"{live_portal.url}/servers/keypairs/")
        page.wait_for_function("() => window.__wsOpen === true")
        other = live_portal.login("alice", cloud)           # another tab imports a key
        resp = other.post(f"{live_portal.url}/servers/keypairs/", data={
            "csrfmiddlewaretoken": other.cookies["csrftoken"], "name": name,
            "public_key": PUBLIC}, headers={"Referer": f"{live_portal.url}/"},
            allow_redirects=False, timeout=30)
        assert resp.status_code == 302, resp.status_code
        row = f"tr[data-keypair='{name}']"
        page.wait_for_selector(row)                         # arrived live, no reload
        page.click(f"{row} [data-testid=delete-keypair]")
        assert f"The key pair “{name}” is deleted" in page.inner_text(
            f"{row} .confirm-panel")
        with page.expect_navigation():
            page.click(f"{row} [data-testid=delete-keypair-confirm]")
        assert f"Key pair “{name}” deleted." in page.inner_text(".messages")
        assert conn.compute.find_keypair(name) is None
    finally:
        conn.compute.delete_keypair(name, ignore_missing=True)
