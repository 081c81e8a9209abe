"""The consoles service driven directly (as Nova calls it), with its real websockify proxy.

A minimal aiohttp app serves only the consoles routes, so these tests need nothing else of
devcloud: tokens, lazy endpoints, Nova's errors, the websockify path and its refusals.
"""

import asyncio
import os
import re
import socket
import time
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from aiohttp import ClientSession, web
from websockets.exceptions import WebSocketException

from devcloud import consoles, testing
from devcloud.cloud import CLOUD_KEY, Cloud, Config
from devcloud.errors import CloudError
from devcloud.store import Store
from tests.rfb import RFBClient

REFUSED = (WebSocketException, OSError, EOFError)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
async def service(tmp_path):
    config = Config(host="127.0.0.1", port=testing.free_port(),
                    console_port=testing.free_port(), spice_port=testing.free_port(),
                    state_dir=tmp_path)
    cloud = Cloud(config=config, store=Store(None))
    app = web.Application()
    app[CLOUD_KEY] = cloud
    consoles.setup(app, cloud)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", config.port).start()
    svc = cloud.services["consoles"]
    svc.clock = Clock()
    await svc.start()
    yield svc
    await svc.stop()
    await runner.cleanup()


def server(n=1, name="vm-one", status="ACTIVE"):
    return {"id": f"00000000-0000-4000-8000-{n:012d}", "name": name, "status": status}


def token_of(url: str) -> str:
    inner = unquote(parse_qs(urlparse(url).query)["path"][0])   # "?token=..."
    return parse_qs(inner[1:])["token"][0]


def ws_url(svc, token: str) -> str:
    return f"ws://127.0.0.1:{svc.config.console_port}/?token={token}"


async def open_console(svc, srv) -> tuple[RFBClient, str]:
    token = token_of(svc.create_console(srv, "vnc", "novnc")["url"])
    client = await RFBClient.websocket(ws_url(svc, token))
    await client.handshake()
    return client, token


async def test_url_has_novas_form(service):
    srv = server()
    service.attach(srv)
    console = service.create_console(srv, "vnc", "novnc")
    assert console["protocol"] == "vnc" and console["type"] == "novnc"
    assert re.fullmatch(
        rf"http://127\.0\.0\.1:{service.config.console_port}/vnc_auto\.html"
        r"\?path=%3Ftoken%3D[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}",
        console["url"]), console["url"]


async def test_endpoints_start_lazily(service):
    for n in range(2000):
        service.attach(server(n))
        service.set_text(server(n)["id"], f"boot log of {n}")
    assert service.status()["vnc_servers"] == 0
    service.create_console(server(7), "vnc", "novnc")
    service.create_console(server(7), "vnc", "novnc")
    assert service.status()["vnc_servers"] == 1


async def test_rfb_through_websockify(service):
    srv = server()
    service.attach(srv)
    service.set_text(srv["id"], "Lease of 10.0.0.5 obtained\nlogin:")
    client, _ = await open_console(service, srv)
    assert (client.width, client.height) == (720, 400)
    assert srv["name"] in client.name
    await client.set_encodings([0])
    await client.request(False)
    await client.read_update()
    assert client.non_background() > 3000
    # A change of the console text reaches a connected client.
    await client.request(True)
    service.set_text(srv["id"], "Lease of 10.0.0.5 obtained\nlogin: and more text")
    await asyncio.wait_for(client.read_update(), 5)  # pushed: no new request was sent
    await client.close()


async def test_typing_through_websockify(service):
    srv = server()
    service.attach(srv)
    client, _ = await open_console(service, srv)
    await client.request(False)
    await client.read_update()
    before = bytes(client.fb)
    await client.type("ls")
    screen = service.consoles[srv["id"]].screen
    while screen.input != "ls" or bytes(client.fb) == before:
        await client.request(True)
        await client.read_update()
    assert screen.rows()[-1] == "$ ls"
    await client.close()


async def test_token_reusable_until_it_expires(service):
    srv = server()
    service.attach(srv)
    client, token = await open_console(service, srv)
    await client.close()
    again = await RFBClient.websocket(ws_url(service, token))   # reuse, as Nova allows
    await again.handshake()
    await again.close()
    assert service.auth_token(token) is not None
    service.clock.now += consoles.TOKEN_TTL - 1
    assert service.auth_token(token) is not None
    service.clock.now += 2
    assert service.auth_token(token) is None
    with pytest.raises(REFUSED):
        await (await RFBClient.websocket(ws_url(service, token))).read(12)


async def test_unknown_token_refused(service):
    with pytest.raises(REFUSED):
        client = await RFBClient.websocket(ws_url(service, "not-a-token"))
        await client.read(12)
    async with ClientSession() as http:
        url = f"http://127.0.0.1:{service.config.port}/devcloud/console-tokens/vnc/nope"
        async with http.get(url) as resp:
            assert resp.status == 404


async def test_origin_checked_like_nova(service):
    srv = server()
    service.attach(srv)
    token = token_of(service.create_console(srv, "vnc", "novnc")["url"])
    # Same host as the proxy (any port): accepted, as Nova accepts it.
    client = await RFBClient.websocket(ws_url(service, token), origin="http://127.0.0.1:8000")
    await client.handshake()
    await client.close()
    for origin in ("http://evil.example", "https://127.0.0.1:8000"):
        with pytest.raises(REFUSED):
            client = await RFBClient.websocket(ws_url(service, token), origin=origin)
            await client.read(12)


async def test_auth_token_body_and_direct_tcp(service):
    srv = server()
    service.attach(srv)
    token = token_of(service.create_console(srv, "vnc", "novnc")["url"])
    body = service.auth_token(token)
    assert set(body) == {"instance_uuid", "host", "port", "internal_access_path"}
    assert body["instance_uuid"] == srv["id"] and body["host"] == "127.0.0.1"
    assert body["internal_access_path"] is None
    client = await RFBClient.tcp(body["host"], body["port"])   # the portal's direct mode
    await client.handshake()
    await client.request(False)
    await client.read_update()
    assert client.non_background() > 1000
    await client.close()


async def test_detach_closes_console_and_tokens(service):
    srv = server()
    service.attach(srv)
    client, token = await open_console(service, srv)
    port = service.auth_token(token)["port"]
    service.detach(srv["id"])
    assert service.auth_token(token) is None
    with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
        await client.read(1)
    await asyncio.sleep(0.1)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    with pytest.raises(REFUSED):
        await (await RFBClient.websocket(ws_url(service, token))).read(12)


@pytest.mark.parametrize("protocol,type_,message", [
    ("spice", "spice-html5", "Unavailable console type spice-html5."),   # no qemu: no SPICE
    ("serial", "serial", "Unavailable console type serial."),
    ("rdp", "rdp-html5", consoles.GENERIC_400),
    ("vnc", "xvpvnc", "Invalid console type xvpvnc"),
    ("vnc", "spice-html5", "Invalid console type spice-html5"),
    ("vnc", "bogus", "Invalid input for field/attribute type. Value: bogus. 'bogus' is not "
                     "one of ['novnc', 'xvpvnc', 'spice-html5', 'serial', 'rdp-html5']"),
])
async def test_unavailable_types_answer_as_nova(service, protocol, type_, message):
    service.use_qemu = False
    with pytest.raises(CloudError) as err:
        service.create_console(server(), protocol, type_)
    assert (err.value.status, err.value.message) == (400, message)


async def test_webmks_from_2_8(service):
    with pytest.raises(CloudError) as err:
        service.create_console(server(), "mks", "webmks", microversion="2.8")
    assert err.value.message == "Unavailable console type webmks."


async def test_building_server_not_ready(service):
    srv = server(status="BUILD")
    with pytest.raises(CloudError) as err:
        service.create_console(srv, "vnc", "novnc")
    assert (err.value.status, err.value.message) == (409, f"Instance {srv['id']} is not ready")


async def test_stop_ends_the_proxy(service):
    proc = service.proxies["vnc"]
    await service.stop()
    assert proc.poll() is not None
    deadline = time.monotonic() + 5   # SIGKILLed stragglers are reaped by init, not by us
    with pytest.raises(ProcessLookupError):
        while time.monotonic() < deadline:
            os.killpg(proc.pid, 0)       # anything left in its process group?
            await asyncio.sleep(0.05)
    service.proxies.clear()
