"""The portal's console page of a `--guests tiny` server: a real Linux on the other end.

The page shows the guest's VGA console (qemu's own VNC, through the portal's relay) with its
login prompt; typing logs in and runs commands in the guest. A command that writes to the
serial port proves the keystrokes reached a real shell: its output shows in Nova's console
log.
"""

import re
import time

import pytest

from devcloud import testing
from tests.browser.test_consoles_browser import CANVAS_LIT
from tests.conftest import DEVCLOUD_ACCOUNTS, ROOT, CloudTarget, browser_login, run_portal
from tests.consoles import live
from tests.guests.fixtures import guest_image  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.qemu]
SHOTS = ROOT / "test-results"                # kept after the run (gitignored)


@pytest.fixture(scope="module")
def tiny_cloud(guest_image, tmp_path_factory):  # noqa: F811
    with testing.running(tmp_path_factory.mktemp("tiny-devcloud") / "state",
                         "--guests", "tiny", "--build-delay", "0.3") as running:
        yield CloudTarget(name="devcloud-tiny", auth_url=running.auth_url,
                          clouds_yaml=running.clouds_yaml, service_cloud="devcloud-portal",
                          accounts=DEVCLOUD_ACCOUNTS, devcloud=running)


def console_log(conn, server) -> str:
    return conn.compute.get_server_console_output(server)["output"]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)
    return value


def test_console_page_shows_the_guest_login_prompt_and_typing_runs_commands(
        page, tiny_cloud, tmp_path):
    conn = tiny_cloud.connect("alice")
    with run_portal(tiny_cloud, tmp_path) as portal, \
            live.server(tiny_cloud, "alice") as srv:
        wait_for(lambda: " login: " in console_log(conn, srv), 60, "the guest's login prompt")
        browser_login(page, portal, tiny_cloud, "alice")
        page.goto(f"{portal.url}/consoles/{srv.id}/")
        page.wait_for_selector('[data-testid=console-state][data-state="connected"]',
                               timeout=20000)
        page.uncheck('[data-action="scale"]')        # 1:1 pixels: qemu's 720x400 text mode
        page.wait_for_function(f"(sel) => ({CANVAS_LIT})(sel) > 2000", arg="[data-screen]",
                               timeout=20000)
        canvas = page.locator("[data-screen] canvas")
        size = page.evaluate("() => { const c = document.querySelector('[data-screen] canvas');"
                             " return [c.width, c.height]; }")
        assert size == [720, 400], size              # the guest's VGA text mode, not devcloud's
        SHOTS.mkdir(exist_ok=True)
        before = canvas.screenshot(path=str(SHOTS / "tiny-guest-login-prompt.png"))

        canvas.click()                               # keyboard focus to noVNC
        page.keyboard.type("root\n", delay=40)
        page.keyboard.type("uname -a\n", delay=40)
        wait_for(lambda: canvas.screenshot() != before, 15, "the screen to change")
        canvas.screenshot(path=str(SHOTS / "tiny-guest-uname.png"))

        # The keystrokes reached a real shell: send uname's answer to /dev/console, the
        # serial port, whose log is Nova's console output.
        # Shift held as a person holds it: keyboard.type(">") sends no Shift, and the
        # guest's keyboard (a PC keyboard behind qemu's VNC) would see ".".
        page.keyboard.type("uname -a ", delay=40)
        page.keyboard.press("Shift+Period")
        page.keyboard.type(" /dev/console\n", delay=40)
        line = wait_for(lambda: re.search(r"^Linux (\S+) 6\.1\.\S+ .*x86_64 GNU/Linux$",
                                          console_log(conn, srv), re.M), 20,
                        "uname's output in the console log")
        assert line.group(1) == srv.name           # the guest's hostname is the server's


def test_the_guests_spice_console_connects_and_draws(page, tiny_cloud, tmp_path):
    """SPICE as the default demo offers it: the tiny guest's own SPICE, in spice-html5."""
    conn = tiny_cloud.connect("alice")
    with run_portal(tiny_cloud, tmp_path) as portal, \
            live.server(tiny_cloud, "alice") as srv:
        wait_for(lambda: " login: " in console_log(conn, srv), 60, "the guest's login prompt")
        browser_login(page, portal, tiny_cloud, "alice")
        page.goto(f"{portal.url}/consoles/{srv.id}/?type=spice-html5")
        assert page.locator("[data-testid=console-error]").count() == 0, \
            page.inner_text("[data-testid=console-error]")
        # A guest under qemu's emulation (no KVM here) on a busy 2-core machine can take
        # a while to answer SPICE's link; a bound, not a speed check. On a timeout the
        # failure says what the page showed.
        try:
            page.wait_for_selector('[data-testid=console-state][data-state="connected"]',
                                   timeout=60000)
        except Exception as exc:
            shown = page.inner_text("[data-testid=console-state]")
            notice = page.locator("[data-console-message]")
            raise AssertionError(f"SPICE never connected: state {shown!r}, message "
                                 f"{notice.inner_text() if notice.count() else None!r}") \
                from exc
        page.wait_for_function(f"(sel) => ({CANVAS_LIT})(sel) > 2000", arg="[data-screen]",
                               timeout=60000)
        SHOTS.mkdir(exist_ok=True)
        page.locator("[data-screen]").screenshot(path=str(SHOTS / "tiny-guest-spice.png"))
