"""`devcloud --qemu`: each server's console is a diskless qemu's real VNC and SPICE server.

Needs qemu-system-x86 (Debian package; CI installs it). The fallback test runs everywhere.
"""

import os
import shutil
import socket
import struct
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import websockets

from devcloud import testing
from tests.devcloud.nova_consoles import remote_console, ws_url_of
from tests.rfb import RFBClient

from .nova import Client

QEMU = shutil.which("qemu-system-x86_64")
NO_QEMU = "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"


@pytest.fixture(scope="module")
def qcloud(tmp_path_factory):
    if QEMU is None:
        pytest.skip(NO_QEMU)
    with testing.running(tmp_path_factory.mktemp("qemu") / "state", "--qemu",
                         "--build-delay", "0.3") as cloud:
        yield cloud


@pytest.fixture(scope="module")
def qvm(qcloud):
    demo = Client(qcloud, "demo")
    (server,) = demo.boot("qemu-vm", networks="auto")
    demo.wait(server["id"], "ACTIVE")
    yield demo, server
    demo.delete_all([server])


def qemu_pids(server_id: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if proc.name.isdigit() and f"devcloud-{server_id}".encode() in cmdline:
            pids.append(int(proc.name))
    return pids


@pytest.mark.qemu
@pytest.mark.skipif(QEMU is None, reason=NO_QEMU)
async def test_novnc_console_is_qemus_screen(qcloud, qvm):
    demo, server = qvm
    t0 = time.perf_counter()
    resp = remote_console(demo, server["id"])
    assert resp.status_code == 200, resp.text
    client = await RFBClient.websocket(ws_url_of(resp.json()["remote_console"]["url"]))
    await client.handshake()
    assert client.name.startswith("QEMU")          # qemu's own VNC server answered
    await client.set_encodings([0])
    deadline = time.monotonic() + 30
    while True:                                   # SeaBIOS writes its text within ~1 s
        await client.request(False)
        await client.read_update()
        if client.non_background(bg=(0, 0, 0)) > 100 or time.monotonic() > deadline:
            break
    assert client.non_background(bg=(0, 0, 0)) > 100
    print(f"qemu console: first drawn frame {time.perf_counter() - t0:.2f}s after the request")
    await client.close()


@pytest.mark.qemu
@pytest.mark.skipif(QEMU is None, reason=NO_QEMU)
async def test_spice_html5_console_links(qcloud, qvm):
    demo, server = qvm
    resp = remote_console(demo, server["id"], "spice", "spice-html5")
    assert resp.status_code == 200, resp.text
    url = resp.json()["remote_console"]["url"]
    assert url.startswith(f"http://127.0.0.1:{qcloud.spice_port}/spice_auto.html?token=")
    token = parse_qs(urlparse(url).query)["token"][0]
    async with websockets.connect(f"ws://127.0.0.1:{qcloud.spice_port}/?token={token}",
                                  subprotocols=["binary"]) as ws:
        # SpiceLinkHeader + SpiceLinkMess for the main channel, no capabilities.
        mess = struct.pack("<IBBIII", 0, 1, 0, 0, 0, 18)
        await ws.send(struct.pack("<4sIII", b"REDQ", 2, 2, len(mess)) + mess)
        reply = b""
        while len(reply) < 20:
            reply += await ws.recv()
        magic, major, _, _, error = struct.unpack("<4sIIII", reply[:20])
        assert (magic, major, error) == (b"REDQ", 2, 0)   # SPICE_LINK_ERR_OK
    admin = Client(qcloud, "admin")
    body = admin.nova("GET", f"/os-console-auth-tokens/{token}", mv="2.31").json()["console"]
    with socket.create_connection((body["host"], body["port"]), timeout=5):
        pass                                            # qemu's SPICE port, for direct mode
    direct = remote_console(demo, server["id"], "spice", "spice-direct", mv="2.99").json()
    assert direct["remote_console"]["url"].startswith("http://127.0.0.1:13002/nova?token=")
    body = admin.nova("GET", "/os-console-auth-tokens/"
                      + token_of_direct(direct["remote_console"]["url"]),
                      mv="2.99").json()["console"]
    assert body["port"] == qemu_spice_port(server["id"]) and body["tls_port"] is None


def token_of_direct(url: str) -> str:
    return parse_qs(urlparse(url).query)["token"][0]


def qemu_spice_port(server_id: str) -> int:
    (pid,) = qemu_pids(server_id)
    args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    spice = args[args.index(b"-spice") + 1].decode()
    return int(dict(kv.split("=", 1) for kv in spice.split(",") if "=" in kv)["port"])


@pytest.mark.qemu
@pytest.mark.skipif(QEMU is None, reason=NO_QEMU)
async def test_delete_ends_qemu(qcloud):
    demo = Client(qcloud, "demo")
    (server,) = demo.boot("qemu-gone", networks="auto")
    demo.wait(server["id"], "ACTIVE")
    assert qemu_pids(server["id"]) == []                  # lazily: no console asked yet
    url = remote_console(demo, server["id"]).json()["remote_console"]["url"]
    client = await RFBClient.websocket(ws_url_of(url))
    await client.handshake()
    await client.close()
    assert len(qemu_pids(server["id"])) == 1
    demo.delete_all([server])
    deadline = time.monotonic() + 5
    while qemu_pids(server["id"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert qemu_pids(server["id"]) == []


def test_qemu_missing_falls_back(tmp_path):
    """--qemu without qemu: a clear message at start, plain consoles, SPICE unavailable."""
    path = os.environ["PATH"]
    os.environ["PATH"] = str(tmp_path / "no-bin")
    try:
        cloud = testing.start(tmp_path / "state", "--qemu", "--build-delay", "0.3")
    finally:
        os.environ["PATH"] = path
    try:
        demo = Client(cloud, "demo")
        (server,) = demo.boot("no-qemu", networks="auto")
        demo.wait(server["id"], "ACTIVE")
        assert remote_console(demo, server["id"]).status_code == 200
        resp = remote_console(demo, server["id"], "spice", "spice-html5")
        assert resp.json() == {"badRequest": {
            "code": 400, "message": "Unavailable console type spice-html5."}}
        log = (tmp_path / f"devcloud-{cloud.port}.log").read_text()
        assert "--qemu: qemu-system-x86_64 not found" in log
        demo.delete_all([server])
    finally:
        cloud.stop()
