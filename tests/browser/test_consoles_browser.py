"""Consoles in Chromium: the noVNC page connects through the portal's relay and draws the
server's screen; with qemu, the SPICE page does too; closing the page leaves an audit
record with its byte counts."""

import io
import re
import shutil
import struct
import time

import pytest
from PIL import Image, ImageChops, ImageStat

from devcloud import testing, vnc
from tests.conftest import DEVCLOUD_ACCOUNTS, CloudTarget, browser_login, run_portal
from tests.consoles import live

pytestmark = [pytest.mark.browser, pytest.mark.devcloud_only(
    reason="needs a console behind the cloud's proxy (the real harness's driver is fake)")]

CANVAS_LIT = """(sel) => {
  const canvas = document.querySelector(sel + ' canvas');
  if (!canvas || !canvas.width) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const seen = new Set();
  let lit = 0;
  for (let i = 0; i < data.length; i += 4) {
    const px = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    seen.add(px);
    if (data[i] + data[i + 1] + data[i + 2] > 120) lit++;
  }
  return seen.size > 1 ? lit : 0;
}"""


def header_difference(shot: Image.Image, title: str) -> float:
    """Mean difference between the screenshot's top text row and devcloud's rendering of a
    header with `title` (the same font and layout): ~0 when that name is on screen. The
    element screenshot may sit a pixel off the canvas: the best of small offsets counts."""
    expected = vnc.Screen(title).image().crop((2, 2, vnc.WIDTH - 20, vnc.CELL_H - 2))
    shot = shot.convert("RGB")
    return min(
        sum(ImageStat.Stat(ImageChops.difference(expected, shot.crop(
            (2 + dx, 2 + dy, vnc.WIDTH - 20 + dx, vnc.CELL_H - 2 + dy)))).mean) / 3
        for dx in (-1, 0, 1) for dy in (-1, 0, 1, 2))


@pytest.fixture(scope="module")
def alice_server(cloud):
    with live.server(cloud, "alice", name=f"console-b-{int(time.time()) % 10000}") as srv:
        yield srv


def audit_row(portal, session, server_id, timeout=10.0) -> dict:
    """The ended session of this server on alice's audit page."""
    deadline = time.monotonic() + timeout
    while True:
        html = session.get(f"{portal.url}/consoles/sessions/", params={
            "server": server_id, "state": "closed"}).text
        row = re.search(r'<tr [^>]*data-session="\d+"[^>]*>(.*?)</tr>', html, re.S)
        if row:     # the cells by their column's heading
            heads = re.findall(r"<th>(.*?)</th>", html)
            cells = dict(zip(heads, re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S),
                             strict=True))
            return {"to_client": int(cells["To browser"]), "to_server": int(cells["To server"]),
                    "closed": cells["Closed"].strip(), "type": cells["Type"]}
        if time.monotonic() > deadline:
            raise AssertionError("no closed console session on the audit page")
        time.sleep(0.3)


def test_novnc_page_draws_the_server_screen_and_is_audited(page, live_portal, cloud,
                                                          alice_server, tmp_path):
    browser_login(page, live_portal, cloud, "alice")
    page.goto(f"{live_portal.url}/consoles/{alice_server.id}/")
    page.wait_for_selector('[data-testid=console-state][data-state="connected"]')
    # 1:1 pixels for the screenshot comparison.
    page.uncheck('[data-action="scale"]')
    page.wait_for_function(f"(sel) => ({CANVAS_LIT})(sel) > 1000", arg="[data-screen]",
                           timeout=10000)
    canvas = page.locator("[data-screen] canvas")
    shot = Image.open(io.BytesIO(canvas.screenshot(path=str(tmp_path / "novnc.png"))))
    if cloud.is_devcloud:
        title = f"{alice_server.name}  ({alice_server.id})"
        right = header_difference(shot, title)
        wrong = header_difference(shot, "someone-else  (00000000-0000-0000-0000-000000000000)")
        assert right < 2.0 < wrong, (right, wrong)

    # Paste text: typed into the console, which echoes it.
    before = canvas.screenshot()
    page.fill('[data-action="paste"] input[name=text]', "hello console")
    page.click('[data-action="paste"] button[type=submit]')
    deadline = time.monotonic() + 10
    while canvas.screenshot() == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert canvas.screenshot() != before, "the pasted text did not show on the console"

    page.context.close()       # the browser goes: the relay closes and writes the record
    row = audit_row(live_portal, live_portal.login("alice", cloud), alice_server.id)
    assert row["closed"] == "client closed" and row["type"] == "novnc"
    assert row["to_client"] > 720 * 400 and row["to_server"] > 20


# A PC keyboard on a US layout: each key's character unshifted and shifted. A guest behind
# qemu's VNC sees keys, not characters: a keysym becomes the key that carries it, and the
# guest applies Shift as it is held at that moment.
US_KEYS = ["`~", "1!", "2@", "3#", "4$", "5%", "6^", "7&", "8*", "9(", "0)", "-_", "=+",
           "[{", "]}", "\\|", ";:", "'\"", ",<", ".>", "/?", "  "] + [
    c + c.upper() for c in "abcdefghijklmnopqrstuvwxyz"]
XK_SHIFT = (0xFFE1, 0xFFE2)


def key_events(frames: list[bytes]) -> list[tuple[int, bool]]:
    """The RFB KeyEvents (keysym, down) among the frames the browser sent."""
    out = []
    for frame in frames:
        if len(frame) == 8 and frame[0] == 4:
            down, keysym = struct.unpack(">xBxxI", frame)
            out.append((keysym, bool(down)))
    return out


def as_a_pc_guest_types(events: list[tuple[int, bool]]) -> str:
    """What a guest with a US PC keyboard reads from these key events."""
    key_of = {ch: key for key in US_KEYS for ch in key}
    shift, text = set(), ""
    for keysym, down in events:
        if keysym in XK_SHIFT:
            (shift.add if down else shift.discard)(keysym)
        elif down and keysym == 0xFF0D:
            text += "\n"
        elif down and chr(keysym) in key_of:
            text += key_of[chr(keysym)][1 if shift else 0]
    return text


def test_paste_holds_shift_for_the_characters_that_need_it(page, live_portal, cloud,
                                                           alice_server):
    sent: list[bytes] = []
    page.on("websocket", lambda ws: "/ws/consoles/" in ws.url and ws.on(
        "framesent", lambda payload: sent.append(
            payload if isinstance(payload, bytes) else payload.encode())))
    browser_login(page, live_portal, cloud, "alice")
    page.goto(f"{live_portal.url}/consoles/{alice_server.id}/")
    page.wait_for_selector('[data-testid=console-state][data-state="connected"]')
    text = "Hello 'A>B|C&D' $HOME"
    page.fill('[data-action="paste"] input[name=text]', text)
    page.click('[data-action="paste"] button[type=submit]')
    deadline = time.monotonic() + 10
    while as_a_pc_guest_types(key_events(sent)) != text and time.monotonic() < deadline:
        page.wait_for_timeout(200)          # (Playwright delivers frame events meanwhile)
    events = key_events(sent)
    assert as_a_pc_guest_types(events) == text, events
    # Shift is released at the end: the guest is not left with it held.
    assert [e for e in events if e[0] in XK_SHIFT][-1][1] is False


def test_ctrl_alt_del_is_asked_first(page, live_portal, cloud, alice_server):
    """Most guests reboot on Ctrl-Alt-Del: the button asks (Escape leaves it unsent), and
    only the confirmation sends the keys."""
    sent: list[bytes] = []
    page.on("websocket", lambda ws: "/ws/consoles/" in ws.url and ws.on(
        "framesent", lambda payload: sent.append(
            payload if isinstance(payload, bytes) else payload.encode())))
    browser_login(page, live_portal, cloud, "alice")
    page.goto(f"{live_portal.url}/consoles/{alice_server.id}/")
    page.wait_for_selector('[data-testid=console-state][data-state="connected"]')
    page.click("[data-testid=ctrl-alt-del]")
    assert "reboot" in page.inner_text("[data-testid=ctrl-alt-del-confirmation] .confirm-panel")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert key_events(sent) == []
    page.click("[data-testid=ctrl-alt-del]")
    page.click("[data-testid=ctrl-alt-del-confirm]")
    want = [(0xFFE3, True), (0xFFE9, True), (0xFFFF, True), (0xFFFF, False), (0xFFE9, False),
            (0xFFE3, False)]
    deadline = time.monotonic() + 5
    while key_events(sent) != want and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert key_events(sent) == want
    assert not page.locator("[data-testid=ctrl-alt-del-confirmation] .confirm-panel").is_visible()


def test_reconnect_takes_a_fresh_ticket(page, live_portal, cloud, alice_server):
    browser_login(page, live_portal, cloud, "alice")
    page.goto(f"{live_portal.url}/consoles/{alice_server.id}/")
    page.wait_for_selector('[data-testid=console-state][data-state="connected"]')
    assert page.locator("[data-console]").get_attribute("data-ws") is None  # spent, dropped
    with page.expect_response(re.compile(r"/ticket/")) as ticket:
        page.click('[data-action="reconnect"]')
    assert ticket.value.status == 200
    page.wait_for_selector('[data-testid=console-state][data-state="connected"]')


def test_unavailable_type_shows_a_message(page, live_portal, cloud, alice_server):
    browser_login(page, live_portal, cloud, "alice")
    page.goto(f"{live_portal.url}/consoles/{alice_server.id}/?type=xvpvnc")
    assert "Removed from Nova" in page.inner_text("[data-testid=console-error]")
    assert page.locator("[data-screen]").count() == 0


# --- SPICE: a devcloud with --qemu and a portal pointed at it ----------------------------

@pytest.fixture(scope="module")
def qemu_cloud(tmp_path_factory):
    if shutil.which("qemu-system-x86_64") is None:
        pytest.skip("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)")
    with testing.running(tmp_path_factory.mktemp("qemu-devcloud") / "state", "--qemu",
                         "--build-delay", "0.3") as running:
        yield CloudTarget(name="devcloud-qemu", auth_url=running.auth_url,
                          clouds_yaml=running.clouds_yaml, service_cloud="devcloud-portal",
                          accounts=DEVCLOUD_ACCOUNTS, devcloud=running)


@pytest.fixture(scope="module")
def qemu_portal(qemu_cloud, tmp_path_factory):
    with run_portal(qemu_cloud, tmp_path_factory.mktemp("qemu-portal")) as portal:
        yield portal


@pytest.fixture(scope="module")
def qemu_server(qemu_cloud):
    with live.server(qemu_cloud, "alice") as srv:
        yield srv


def open_spice(page, portal, cloud, srv):
    browser_login(page, portal, cloud, "alice")
    page.goto(f"{portal.url}/consoles/{srv.id}/?type=spice-html5")
    assert page.locator("[data-testid=console-error]").count() == 0, \
        page.inner_text("[data-testid=console-error]")
    page.wait_for_selector('[data-testid=console-state][data-state="connected"]',
                           timeout=20000)
    page.wait_for_function(f"(sel) => ({CANVAS_LIT})(sel) > 100", arg="[data-screen]",
                           timeout=20000)


@pytest.mark.qemu
def test_spice_page_connects_and_draws(page, qemu_cloud, qemu_portal, qemu_server, tmp_path):
    open_spice(page, qemu_portal, qemu_cloud, qemu_server)
    page.locator("[data-screen]").screenshot(path=str(tmp_path / "spice.png"))
    page.context.close()
    row = audit_row(qemu_portal, qemu_portal.login("alice", qemu_cloud), qemu_server.id)
    assert row["type"] == "spice-html5" and row["to_client"] > 0


# PC scancodes (set 1) of a US keyboard: what a guest reads from SPICE's key messages.
SCANCODES = {0x29: "`~", 0x0C: "-_", 0x0D: "=+", 0x1A: "[{", 0x1B: "]}", 0x2B: "\\|",
             0x27: ";:", 0x28: "'\"", 0x33: ",<", 0x34: ".>", 0x35: "/?", 0x39: "  ",
             **{0x02 + i: pair for i, pair in enumerate(
                 ["1!", "2@", "3#", "4$", "5%", "6^", "7&", "8*", "9(", "0)"])},
             **{code: c + c.upper() for row, first in (("qwertyuiop", 0x10),
                                                      ("asdfghjkl", 0x1E), ("zxcvbnm", 0x2C))
                for code, c in enumerate(row, start=first)}}
SC_SHIFT, SC_ENTER = (0x2A, 0x36), 0x1C
SPICE_KEY_DOWN, SPICE_KEY_UP = 101, 102


def spice_keys(frames: list[bytes]) -> list[tuple[int, bool]]:
    """(scancode, down) of the SPICE key messages among the frames the browser sent: a
    mini header (type, size) and the scancode, little-endian."""
    out = []
    for frame in frames:
        if len(frame) == 10:
            kind, size, code = struct.unpack("<HII", frame)
            if kind in (SPICE_KEY_DOWN, SPICE_KEY_UP) and size == 4:
                out.append((code, kind == SPICE_KEY_DOWN))
    return out


def spice_pointer(frames: list[bytes]) -> list[tuple[str, int, int]]:
    """The SPICE pointer messages the browser sent: ("position", x, y) in client mouse mode,
    ("motion", dx, dy) in server mode."""
    out = []
    for frame in frames:
        if len(frame) >= 6:
            kind, size = struct.unpack("<HI", frame[:6])
            if kind == 112 and size == 11:
                out.append(("position", *struct.unpack("<II", frame[6:14])))
            elif kind == 111 and size == 11:
                out.append(("motion", *struct.unpack("<ii", frame[6:14])))
    return out


def as_a_pc_guest_reads(keys: list[tuple[int, bool]]) -> str:
    shift, text = set(), ""
    for code, down in keys:
        make = code & 0x7F if code < 0x100 else code
        if make in SC_SHIFT:
            (shift.add if down else shift.discard)(make)
        elif down and make == SC_ENTER:
            text += "\n"
        elif down and make in SCANCODES:
            text += SCANCODES[make][1 if shift else 0]
    return text


@pytest.mark.qemu
def test_spice_page_pastes_text_with_shift_and_scales_to_fit(page, qemu_cloud, qemu_portal,
                                                              qemu_server):
    sent: list[bytes] = []
    page.on("websocket", lambda ws: "/ws/consoles/" in ws.url and ws.on(
        "framesent", lambda payload: sent.append(
            payload if isinstance(payload, bytes) else payload.encode())))
    open_spice(page, qemu_portal, qemu_cloud, qemu_server)

    # Scale to fit, as the noVNC page does: the guest's screen fills the box one way and fits
    # it the other, its aspect kept, down (a narrow window) and up (a wide one); unscaled it
    # is the guest's own size.
    fit = """() => {
      const box = document.querySelector('[data-screen]');
      const c = box.querySelector('canvas');
      const r = c.getBoundingClientRect();
      return {w: r.width, h: r.height, boxW: box.clientWidth, boxH: box.clientHeight,
              natW: c.width, natH: c.height, vh: window.innerHeight};
    }"""
    for width in (560, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(300)
        got = page.evaluate(fit)
        assert got["w"] <= got["boxW"] and got["h"] <= got["boxH"], got
        assert got["boxW"] - got["w"] < 2 or got["boxH"] - got["h"] < 2, got
        assert abs(got["w"] / got["h"] - got["natW"] / got["natH"]) < 0.02, got
        assert got["boxH"] <= 0.7 * got["vh"] + 1, got       # the page's box, not the guest's
    page.uncheck('[data-action="scale"]')
    unscaled = page.evaluate(fit)
    assert (unscaled["w"], unscaled["h"]) == (unscaled["natW"], unscaled["natH"]), unscaled
    page.check('[data-action="scale"]')

    text = "Hello 'A>B|C&D' $HOME"
    page.fill('[data-action="paste"] input[name=text]', text)
    page.click('[data-action="paste"] button[type=submit]')
    deadline = time.monotonic() + 10
    while as_a_pc_guest_reads(spice_keys(sent)) != text and time.monotonic() < deadline:
        page.wait_for_timeout(200)          # (Playwright delivers frame events meanwhile)
    keys = spice_keys(sent)
    assert as_a_pc_guest_reads(keys) == text, (keys, page.inner_text('[data-console-message]'))
    assert [k for k in keys if k[0] & 0x7F in SC_SHIFT][-1] == (0x2A | 0x80, False)
    assert page.input_value('[data-action="paste"] input[name=text]') == ""

    # The pointer lands where it points: spice-html5 reports canvas pixels, made the guest's.
    got = page.evaluate(fit)
    canvas = page.locator("[data-screen] canvas").bounding_box()
    ratio = got["natW"] / got["w"]
    assert ratio < 0.99                                      # scaled up, at 1280 wide
    del sent[:]
    page.mouse.move(canvas["x"] + 10, canvas["y"] + 10)
    page.mouse.move(canvas["x"] + 310, canvas["y"] + 210, steps=4)
    page.wait_for_timeout(300)
    moves = spice_pointer(sent)
    assert moves, "no pointer messages"
    if moves[-1][0] == "position":                           # client mouse mode
        assert abs(moves[-1][1] - 310 * ratio) <= 2 and abs(moves[-1][2] - 210 * ratio) <= 2
    else:                                                    # server mode: relative moves
        dx = sum(m[1] for m in moves[1:])
        dy = sum(m[2] for m in moves[1:])
        assert abs(dx - 300 * ratio) <= 4 and abs(dy - 200 * ratio) <= 4, moves

    # Ctrl-Alt-Del (asked first: most guests reboot on it) reaches the guest as keys too.
    del sent[:]
    page.click("[data-testid=ctrl-alt-del]")
    page.wait_for_timeout(300)
    assert spice_keys(sent) == []                            # only asked, nothing sent
    page.click("[data-testid=ctrl-alt-del-confirm]")
    deadline = time.monotonic() + 5
    while len(spice_keys(sent)) < 6 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert spice_keys(sent) == [(0x1D, True), (0x38, True), (0x53E0, True), (0xD3E0, False),
                                (0xB8, False), (0x9D, False)]
