"""Real RFB bytes through the portal: browser side WebSocket → uvicorn → the relay →
devcloud's websockify (proxy mode) or the VNC server itself (direct mode)."""

import asyncio

import pytest
import requests
from websockets.exceptions import InvalidStatus

from tests.rfb import RFBClient

from . import live

# The real control plane's fake virt driver puts no VNC server behind nova-novncproxy
# (it validates the token, then fails to reach 127.0.0.1:1): these need devcloud's consoles.
pytestmark = pytest.mark.devcloud_only(reason="needs a console behind the cloud's proxy")


def distinct_pixels(data: bytes) -> int:
    return len({data[i:i + 4] for i in range(0, len(data), 4)})


async def open_console(portal, session, server_id, query="") -> RFBClient:
    page = session.get(f"{portal.url}/consoles/{server_id}/{query}")
    assert page.status_code == 200, page.text[:500]
    path = live.ws_path(page.text)
    return await RFBClient.websocket(live.ws_url(portal, path), origin=portal.url,
                               headers=live.cookie_header(session))


async def see_screen(client: RFBClient) -> None:
    await client.handshake()
    assert (client.width, client.height) == (720, 400)      # devcloud's screen
    await client.request(incremental=False)
    rects = await asyncio.wait_for(client.read_update(), timeout=10)
    assert rects, "no rectangle in the framebuffer update"
    assert any(distinct_pixels(r[4]) > 1 for r in rects), "the screen is blank"


async def test_proxy_mode_handshake_and_framebuffer(live_portal, cloud, alice_server):
    alice = live_portal.login("alice", cloud)
    client = await open_console(live_portal, alice, alice_server.id)
    try:
        await see_screen(client)
        assert alice_server.name in client.name               # the desktop's name
    finally:
        await client.close()


async def test_direct_mode_handshake_and_framebuffer(direct_portal, cloud, alice_server):
    alice = direct_portal.login("alice", cloud)
    client = await open_console(direct_portal, alice, alice_server.id)
    try:
        await see_screen(client)
    finally:
        await client.close()


async def test_typing_reaches_the_server_and_echoes(live_portal, cloud, alice_server):
    alice = live_portal.login("alice", cloud)
    client = await open_console(live_portal, alice, alice_server.id)
    try:
        await see_screen(client)
        await client.request(incremental=True)
        await client.type("x")
        rects = await asyncio.wait_for(client.read_update(), timeout=10)
        assert rects, "typing changed nothing on the screen"
    finally:
        await client.close()


async def test_ticket_is_spent_by_its_first_use(live_portal, cloud, alice_server):
    alice = live_portal.login("alice", cloud)
    page = alice.get(f"{live_portal.url}/consoles/{alice_server.id}/")
    url = live.ws_url(live_portal, live.ws_path(page.text))
    cookie = live.cookie_header(alice)
    first = await RFBClient.websocket(url, origin=live_portal.url, headers=cookie)
    try:
        await first.handshake()
        with pytest.raises(InvalidStatus) as refused:
            await RFBClient.websocket(url, origin=live_portal.url, headers=cookie)
        assert refused.value.response.status_code == 403
    finally:
        await first.close()


async def test_foreign_origin_refused_by_the_live_portal(live_portal, cloud, alice_server):
    alice = live_portal.login("alice", cloud)
    page = alice.get(f"{live_portal.url}/consoles/{alice_server.id}/")
    url = live.ws_url(live_portal, live.ws_path(page.text))
    for origin in ("http://evil.example", live_portal.url.replace("127.0.0.1", "localhost")):
        with pytest.raises(InvalidStatus) as refused:
            await RFBClient.websocket(url, origin=origin, headers=live.cookie_header(alice))
        assert refused.value.response.status_code == 403


def test_tickets_and_nova_tokens_stay_out_of_logs_and_html(live_portal, cloud, alice_server):
    alice = live_portal.login("alice", cloud)
    page = alice.get(f"{live_portal.url}/consoles/{alice_server.id}/").text
    path = live.ws_path(page)
    ticket = path.rstrip("/").rsplit("/", 1)[1]
    assert page.count(ticket) == 1, "the ticket appears beyond the one WebSocket URL"
    assert "token=" not in page and "vnc_auto" not in page

    async def use():
        client = await RFBClient.websocket(live.ws_url(live_portal, path), origin=live_portal.url,
                                     headers=live.cookie_header(alice))
        await client.handshake()
        await client.close()
    asyncio.run(use())
    log = live.live_log(live_portal)
    # The handshake is logged (so the log is on), with the ticket redacted.
    assert '"WebSocket /ws/consoles/<redacted>/" [accepted]' in log
    assert ticket not in log
    assert "token=" not in log


async def test_console_sockets_and_bytes_in_the_metrics(live_portal, cloud, alice_server):
    from tests.portal.test_metrics import value

    def scrape() -> str:
        return requests.get(f"{live_portal.url}/metrics", timeout=10).text

    before = await asyncio.to_thread(scrape)
    alice = live_portal.login("alice", cloud)
    client = await open_console(live_portal, alice, alice_server.id)
    try:
        await see_screen(client)
        during = await asyncio.to_thread(scrape)
    finally:
        await client.close()
    for _ in range(50):                      # the relay's finish counts the last bytes
        after = await asyncio.to_thread(scrape)
        if value(after, "stackport_console_sessions_open") == \
                value(before, "stackport_console_sessions_open"):
            break
        await asyncio.sleep(0.1)
    assert value(during, "stackport_websockets_open", kind="console") == \
        value(before, "stackport_websockets_open", kind="console") + 1
    assert value(during, "stackport_console_sessions_open") >= 1
    assert value(after, "stackport_console_sockets_opened_total", console_type="novnc") == \
        value(before, "stackport_console_sockets_opened_total", console_type="novnc") + 1
    # The screen it saw (a 720×400 framebuffer update) went through the relay.
    assert value(after, "stackport_console_bytes_total", direction="to_client") - \
        value(before, "stackport_console_bytes_total", direction="to_client") > 720 * 400
    assert value(after, "stackport_console_bytes_total", direction="to_server") > \
        value(before, "stackport_console_bytes_total", direction="to_server")
