"""/ws/events/ over a real daphne: publish reaches its project's sockets, and only them."""

import asyncio

import pytest
import websockets

from portal.events import apublish


def ws_url(live_portal) -> str:
    return live_portal.url.replace("http://", "ws://") + "/ws/events/"


async def connect(live_portal, session=None, origin=None):
    headers = {}
    if session is not None:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    return await websockets.connect(ws_url(live_portal), additional_headers=headers,
                                    origin=origin or live_portal.url, open_timeout=5)


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
        got = await asyncio.wait_for(a_ws.recv(), timeout=5)
        assert "hello alpha" in got
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(b_ws.recv(), timeout=1.0)


async def test_anonymous_socket_is_refused(live_portal):
    with pytest.raises(websockets.exceptions.InvalidStatus) as exc:
        await connect(live_portal)
    assert exc.value.response.status_code == 403


async def test_foreign_origin_is_refused(live_portal, cloud):
    alice = live_portal.login("alice", cloud)
    with pytest.raises(websockets.exceptions.InvalidStatus) as exc:
        await connect(live_portal, alice, origin="http://evil.example")
    assert exc.value.response.status_code == 403
