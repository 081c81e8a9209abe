"""/ws/events/ over the real web server: publish reaches its project's sockets, and only them."""

import asyncio

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from portal.events import apublish
from tests.conftest import run_portal
from tests.consoles import live


def ws_url(live_portal) -> str:
    return live_portal.url.replace("http://", "ws://") + "/ws/events/"


async def connect(live_portal, session=None, origin=None):
    headers = {}
    if session is not None:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    return await websockets.connect(ws_url(live_portal), additional_headers=headers,
                                    origin=origin or live_portal.url, open_timeout=5)


async def heard(ws, marker: str, within: float = 5.0) -> str:
    """The first message holding `marker`. Other events of the project (a server an
    earlier test deleted, seen by the poller) may come first, above all on a shared cloud."""
    async with asyncio.timeout(within):
        while marker not in (got := await ws.recv()):
            pass
    return got


async def hears_nothing_of(ws, marker: str, within: float = 1.0) -> None:
    """No message holding `marker` arrives within `within` seconds (others may)."""
    try:
        async with asyncio.timeout(within):
            while True:
                assert marker not in await ws.recv()
    except TimeoutError:
        pass


def project_id(live_portal, session) -> str:
    html = session.get(f"{live_portal.url}/").text
    import re

    return re.search(r'<option value="(\w+)" selected>', html).group(1)


async def test_publish_reaches_own_project_only(live_portal, cloud):
    alice = live_portal.login("alice", cloud)
    bob = live_portal.login("bob", cloud)
    alpha = project_id(live_portal, alice)
    async with await connect(live_portal, alice) as a_ws, \
            await connect(live_portal, bob) as b_ws:
        await asyncio.sleep(0.2)  # group_add has completed before accept; be generous
        await apublish(alpha, '<div id="probe" hx-swap-oob="true">hello alpha</div>')
        assert "hello alpha" in await heard(a_ws, "hello alpha")
        await hears_nothing_of(b_ws, "hello alpha")


async def test_anonymous_socket_is_refused(live_portal):
    with pytest.raises(InvalidStatus) as exc:
        await connect(live_portal)
    assert exc.value.response.status_code == 403


async def test_foreign_origin_is_refused(live_portal, cloud):
    alice = live_portal.login("alice", cloud)
    with pytest.raises(InvalidStatus) as exc:
        await connect(live_portal, alice, origin="http://evil.example")
    assert exc.value.response.status_code == 403


@pytest.mark.parametrize("origin_of", [
    lambda url: url.rsplit(":", 1)[0] + ":" + str(int(url.rsplit(":", 1)[1]) + 1),  # port
    lambda url: url.replace("http://", "https://"),                                # scheme
    lambda url: url.replace("127.0.0.1", "localhost"),          # another allowed host
    lambda url: url + "/page",                                  # not an origin at all
], ids=["other-port", "other-scheme", "other-host", "with-path"])
async def test_same_host_other_origin_is_refused(live_portal, cloud, origin_of):
    """Scheme, host and port are compared, as the console relay does: a page served on
    another port of the same host (http://127.0.0.1:8411 for a portal on 8410) was let in."""
    alice = live_portal.login("alice", cloud)
    with pytest.raises(InvalidStatus) as exc:
        await connect(live_portal, alice, origin=origin_of(live_portal.url))
    assert exc.value.response.status_code == 403


def test_refused_sockets_leave_no_task_behind(cloud, tmp_path):
    """Refusals happen before any consumer subscribes to the channel layer. Refused through
    a consumer (channels' OriginValidator), each socket left a channel-layer subscription
    pending for good; uvicorn says so when it stops ("Waiting for background tasks")."""
    with run_portal(cloud, tmp_path) as portal:
        async def refused():
            for origin in ("http://evil.example", portal.url):     # foreign; no session
                with pytest.raises(InvalidStatus) as exc:
                    await connect(portal, origin=origin)
                assert exc.value.response.status_code == 403
        asyncio.run(refused())
    log = live.live_log(portal)
    assert log.count('"WebSocket /ws/events/" 403') == 2
    assert "Shutting down" in log
    assert "Waiting for background tasks" not in log
