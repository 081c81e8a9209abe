"""Consoles through devcloud's Nova API, as a client sees them: remote-consoles URL →
websockify → the server's VNC server (real RFB bytes), the admin console-auth-tokens body,
Nova's errors, token expiry and deletion, and no proxy left behind when devcloud goes."""

import asyncio
import os
import signal
import socket
import time

import pytest
from websockets.exceptions import WebSocketException

from devcloud import testing
from tests.devcloud.nova_consoles import remote_console, token_of, ws_url_of
from tests.rfb import RFBClient

REFUSED = (WebSocketException, OSError, EOFError)


@pytest.fixture(scope="module")
def vm(nova_demo):
    (server,) = nova_demo.boot("console-vm", networks="auto")
    nova_demo.wait(server["id"], "ACTIVE")
    yield server
    nova_demo.delete_all([server])


async def test_novnc_console_draws_the_server(nova_demo, vm, devcloud):
    resp = remote_console(nova_demo, vm["id"])
    assert resp.status_code == 200, resp.text
    console = resp.json()["remote_console"]
    assert console["protocol"] == "vnc" and console["type"] == "novnc"
    assert console["url"].startswith(
        f"http://127.0.0.1:{devcloud.console_port}/vnc_auto.html?path=%3Ftoken%3D")
    client = await RFBClient.websocket(ws_url_of(console["url"]),
                                       origin=f"http://127.0.0.1:{devcloud.console_port}")
    await client.handshake()
    assert "console-vm" in client.name
    await client.set_encodings([0])
    await client.request(False)
    await client.read_update()
    assert client.non_background() > 3000     # header + the boot log's lines
    await client.type("whoami")
    await client.request(True)
    await client.read_update()                # typing changes the screen
    await client.close()


async def test_legacy_action_and_token_reuse(nova_demo, vm):
    resp = nova_demo.nova("POST", f"/servers/{vm['id']}/action",
                          {"os-getVNCConsole": {"type": "novnc"}}, mv="2.1")
    assert resp.status_code == 200, resp.text
    url = resp.json()["console"]["url"]
    for _ in range(2):                          # Nova's tokens are reusable until expiry
        client = await RFBClient.websocket(ws_url_of(url))
        await client.handshake()
        await client.close()


def test_console_auth_token_body_and_direct_tcp(nova_demo, nova_admin, vm):
    token = token_of(remote_console(nova_demo, vm["id"]).json()["remote_console"]["url"])
    resp = nova_admin.nova("GET", f"/os-console-auth-tokens/{token}", mv="2.31")
    assert resp.status_code == 200, resp.text
    body = resp.json()["console"]
    assert body == {"instance_uuid": vm["id"], "host": "127.0.0.1", "port": body["port"],
                    "internal_access_path": None}
    # PORTAL_CONSOLE_MODE=direct: raw TCP to that host and port speaks RFB.
    with socket.create_connection((body["host"], body["port"]), timeout=5) as sock:
        assert sock.recv(12) == b"RFB 003.008\n"
    forbidden = nova_demo.nova("GET", f"/os-console-auth-tokens/{token}", mv="2.31")
    assert forbidden.status_code == 403
    assert forbidden.json() == {"forbidden": {"code": 403, "message": (
        "Policy doesn't allow os_compute_api:os-console-auth-tokens to be performed.")}}
    missing = nova_admin.nova("GET", "/os-console-auth-tokens/nonexistent", mv="2.31")
    assert missing.status_code == 404
    assert missing.json() == {"itemNotFound": {"code": 404, "message": "Token not found"}}


def test_console_auth_token_before_2_31(nova_demo, nova_admin, vm):
    token = token_of(remote_console(nova_demo, vm["id"]).json()["remote_console"]["url"])
    resp = nova_admin.nova("GET", f"/os-console-auth-tokens/{token}", mv="2.30")
    assert resp.status_code == 400
    assert resp.json() == {"badRequest": {"code": 400, "message": (
        "The server could not comply with the request since it is either malformed or "
        "otherwise incorrect.")}}


@pytest.mark.parametrize("protocol,type_,mv,message", [
    ("spice", "spice-html5", "2.6", "Unavailable console type spice-html5."),
    ("serial", "serial", "2.6", "Unavailable console type serial."),
    ("mks", "webmks", "2.8", "Unavailable console type webmks."),
    ("vnc", "xvpvnc", "2.6", "Invalid console type xvpvnc"),
    ("rdp", "rdp-html5", "2.6", "The server could not comply with the request since it is "
                                "either malformed or otherwise incorrect."),
])
def test_unavailable_types_as_nova_answers(nova_demo, vm, protocol, type_, mv, message):
    resp = remote_console(nova_demo, vm["id"], protocol, type_, mv=mv)
    assert resp.status_code == 400
    assert resp.json() == {"badRequest": {"code": 400, "message": message}}


async def test_unknown_and_expired_tokens_refused(nova_demo, vm, devcloud):
    with pytest.raises(REFUSED):
        client = await RFBClient.websocket(
            f"ws://127.0.0.1:{devcloud.console_port}/?token=00000000-0000-0000-0000-0000")
        await client.read(12)
    devcloud.admin_api("POST", "consoles", {"token_ttl": 1})
    try:
        url = remote_console(nova_demo, vm["id"]).json()["remote_console"]["url"]
    finally:
        devcloud.admin_api("POST", "consoles", {"token_ttl": 600})
    await asyncio.sleep(1.2)
    with pytest.raises(REFUSED):
        client = await RFBClient.websocket(ws_url_of(url))
        await client.read(12)


async def test_deleted_server_takes_its_console_and_tokens(nova_demo, nova_admin):
    (server,) = nova_demo.boot("console-gone", networks="auto")
    nova_demo.wait(server["id"], "ACTIVE")
    url = remote_console(nova_demo, server["id"]).json()["remote_console"]["url"]
    client = await RFBClient.websocket(ws_url_of(url))
    await client.handshake()
    nova_demo.delete_all([server])
    with pytest.raises(ConnectionError):
        await client.read(1)
    with pytest.raises(REFUSED):
        again = await RFBClient.websocket(ws_url_of(url))
        await again.read(12)
    token = token_of(url)
    assert nova_admin.nova("GET", f"/os-console-auth-tokens/{token}", mv="2.31").status_code == 404


def _gone(pid: int, timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("how", ["stop", "sigkill"])
def test_no_proxy_outlives_devcloud(tmp_path, how):
    cloud = testing.start(tmp_path / "state")
    try:
        proxy = cloud.admin_api("GET", "consoles")["proxies"]["vnc"]
        assert proxy["alive"]
        if how == "stop":
            cloud.stop()
        else:   # no stop(), no atexit: the kernel's parent-death signal does it
            cloud.process.send_signal(signal.SIGKILL)
            cloud.process.wait()
        assert _gone(proxy["pid"]), f"websockify {proxy['pid']} outlived devcloud ({how})"
    finally:
        cloud.stop()
