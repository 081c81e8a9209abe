"""Helpers for the console tests: a server to look at, a second live portal in another
console mode (or against another cloud), the WebSocket URL of a console page."""

import contextlib
import html
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from devcloud import testing
from portal import serve
from tests.conftest import ROOT, CloudTarget, LivePortal, portal_env

WS_PATH = re.compile(r'data-ws="(/ws/consoles/[^"/]+/)"')


@contextlib.contextmanager
def server(cloud: CloudTarget, who: str = "alice", name: str | None = None):
    """A server of `who`'s project, ACTIVE, on a network made for it; all deleted after."""
    conn = cloud.connect(who)
    name = name or f"console-test-{uuid.uuid4().hex[:6]}"
    net = conn.network.create_network(name=f"{name}-net")
    conn.network.create_subnet(network_id=net.id, cidr="10.66.0.0/24", ip_version=4,
                               name=f"{name}-subnet")
    try:
        flavor = conn.compute.find_flavor("m1.tiny") or next(iter(conn.compute.flavors()))
        image = conn.image.find_image("cirros") or next(iter(conn.image.images()))
        srv = conn.compute.create_server(name=name, flavor_id=flavor.id, image_id=image.id,
                                         networks=[{"uuid": net.id}])
        try:
            yield conn.compute.wait_for_server(srv, wait=60, interval=0.3)
        finally:
            conn.compute.delete_server(srv.id)
            conn.compute.wait_for_delete(srv, wait=60, interval=0.3)
    finally:
        conn.network.delete_network(net.id)


def ws_path(page_html: str) -> str:
    match = WS_PATH.search(page_html)
    assert match, "the console page carries no WebSocket URL"
    return html.unescape(match.group(1))


def ws_url(portal: LivePortal, path: str) -> str:
    return portal.url.replace("http://", "ws://") + path


def cookie_header(session) -> dict:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.items())}


@contextlib.contextmanager
def extra_portal(cloud: CloudTarget, tmp: Path, **env):
    """Another web process with its own database and settings (e.g. PORTAL_CONSOLE_MODE)."""
    penv = dict(portal_env(cloud, tmp / "portal.sqlite3"), **env)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=ROOT, env=penv, check=True)
    port = testing.free_port()
    log_path = tmp / "web.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(serve.command(port), cwd=ROOT, env=penv, stdout=log,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/login/", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"portal did not start; see {log_path}") from None
                time.sleep(0.2)
        portal = LivePortal(url=url, env=penv, process=proc)
        portal.log_path = log_path
        yield portal
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def live_log(portal: LivePortal) -> str:
    """What the web process wrote (stdout and stderr go to one file)."""
    path = getattr(portal, "log_path", None) or Path(f"/proc/{portal.process.pid}/fd/1")
    return Path(path).read_text(errors="replace")
