"""noVNC 1.x (npm's @novnc/novnc, the client the portal embeds) in Chromium connects to
devcloud's websockify with a Nova console URL's token and draws the server's screen."""

import threading
import time
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.devcloud.nova_consoles import remote_console, ws_url_of

from .nova import Client

pytestmark = pytest.mark.browser
NOVNC = Path(__file__).resolve().parents[2] / "node_modules/@novnc/novnc"
PAGE = """<!doctype html><html><body style="margin:0">
<div id="screen" style="width:720px;height:400px"></div>
<script type="module">
import RFB from './core/rfb.js';
const rfb = new RFB(document.getElementById('screen'), %r);
rfb.addEventListener('connect', () => { window.vncState = 'connected'; });
rfb.addEventListener('disconnect', (e) => { window.vncState = 'disconnected'; });
window.rfb = rfb;
</script></body></html>"""
COUNT_LIT = """() => {
  const c = document.querySelector('#screen canvas');
  if (!c || !c.width) return -1;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 300) n++;
  return n;
}"""


@pytest.fixture
def vm(devcloud):
    demo = Client(devcloud, "demo")
    (server,) = demo.boot("novnc-vm", networks="auto")
    demo.wait(server["id"], "ACTIVE")
    yield demo, server
    demo.delete_all([server])


@contextmanager
def serve_novnc(root: Path, ws_url: str):
    """A loopback HTTP server for noVNC's files and a page that opens ws_url (a real local
    server: Chromium blocks a routed page from reaching loopback, as from the internet)."""
    (root / "core").symlink_to(NOVNC / "core")
    (root / "vendor").symlink_to(NOVNC / "vendor")
    (root / "index.html").write_text(PAGE % ws_url)
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_novnc_connects_and_draws(page, vm, tmp_path):
    if not (NOVNC / "core/rfb.js").exists():
        pytest.skip("npm's @novnc/novnc is not installed (npm ci)")
    demo, server = vm
    url = remote_console(demo, server["id"]).json()["remote_console"]["url"]
    with serve_novnc(tmp_path, ws_url_of(url)) as origin:
        check_novnc(page, origin, tmp_path)


def check_novnc(page, origin, tmp_path):
    logs = []
    page.on("console", lambda m: logs.append(m.text))
    page.on("pageerror", lambda e: logs.append(str(e)))
    t0 = time.perf_counter()
    page.goto(f"{origin}/index.html")
    try:
        page.wait_for_function("window.vncState === 'connected'", timeout=8000)
    except Exception:
        raise AssertionError(f"noVNC did not connect: {logs}") from None
    page.wait_for_function(f"({COUNT_LIT})() > 2000")
    drawn = time.perf_counter() - t0
    lit = page.evaluate(COUNT_LIT)
    page.screenshot(path=tmp_path / "novnc.png")
    print(f"noVNC: connected and drew {lit} lit pixels in {drawn:.2f}s")
    # Typing in the canvas reaches the console and comes back drawn.
    page.click("#screen canvas")
    page.keyboard.type("hello")
    page.wait_for_function(f"({COUNT_LIT})() > {lit}")
