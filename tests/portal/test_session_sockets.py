"""A session's open sockets end with it, over the real web server: logout, a project
switch and the token's expiry close /ws/events/ (code 4401, with the reason), and a
logout closes an open console relay, which records why it closed."""

import asyncio
import re
import time

import pytest
from websockets.exceptions import ConnectionClosed

from portal.events import apublish
from tests.consoles import live
from tests.pages import new_project_with
from tests.portal.test_events_ws import connect, heard, hears_nothing_of, project_id
from tests.rfb import RFBClient

ENDED = 4401


def post(portal, session, path: str, **data):
    resp = session.post(f"{portal.url}{path}",
                        data={"csrfmiddlewaretoken": session.cookies["csrftoken"], **data},
                        headers={"Referer": f"{portal.url}/"}, allow_redirects=False,
                        timeout=30)
    assert resp.status_code == 302, resp.status_code
    return resp


async def closed_with(ws, within: float = 5.0) -> tuple[int, str]:
    started = time.monotonic()
    with pytest.raises(ConnectionClosed) as closed:
        while time.monotonic() - started < within:
            await asyncio.wait_for(ws.recv(), timeout=within)
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_logout_closes_the_sessions_event_sockets_only(live_portal, cloud):
    alice = live_portal.login("alice", cloud)
    other = live_portal.login("alice", cloud)      # the same person in another browser
    alpha = project_id(live_portal, alice)
    async with await connect(live_portal, alice) as ws, \
            await connect(live_portal, other) as still_open:
        await asyncio.to_thread(post, live_portal, alice, "/logout/")
        assert await closed_with(ws) == (ENDED, "logged out")
        await apublish(alpha, '<div id="probe" hx-swap-oob="true">after logout</div>')
        assert "after logout" in await heard(still_open, "after logout")


async def test_project_switch_closes_the_old_projects_event_socket(live_portal, cloud):
    with new_project_with(cloud, "alice", "switch") as made:
        extra = made["project"]
        alice = live_portal.login("alice", cloud)
        alpha = project_id(live_portal, alice)
        async with await connect(live_portal, alice) as ws:
            await asyncio.to_thread(post, live_portal, alice, "/project/",
                                    project_id=extra.id)
            assert await closed_with(ws) == (ENDED, "project switched")
        # The next page's socket lives in the new project and hears nothing of the old.
        async with await connect(live_portal, alice) as ws:
            await asyncio.sleep(0.2)
            await apublish(alpha, '<div id="probe" hx-swap-oob="true">alpha only</div>')
            await hears_nothing_of(ws, "alpha only")
        await asyncio.to_thread(post, live_portal, alice, "/project/", project_id=alpha)


@pytest.mark.devcloud_only(reason="shortens Keystone's token lifetime through devcloud config")
async def test_event_socket_closes_when_the_token_expires(live_portal, cloud):
    cloud.devcloud.admin_api("POST", "config", {"token_ttl": 4})
    try:
        alice = await asyncio.to_thread(live_portal.login, "alice", cloud)
    finally:
        cloud.devcloud.admin_api("POST", "config", {"token_ttl": 3600})
    async with await connect(live_portal, alice) as ws:
        assert await closed_with(ws, within=8) == (ENDED, "session expired")


@pytest.mark.devcloud_only(reason="needs a console behind the cloud's proxy")
async def test_logout_closes_an_open_console(live_portal, cloud):
    with live.server(cloud, "alice") as srv:
        alice = live_portal.login("alice", cloud)
        page = alice.get(f"{live_portal.url}/consoles/{srv.id}/")
        client = await RFBClient.websocket(live.ws_url(live_portal, live.ws_path(page.text)),
                                           origin=live_portal.url,
                                           headers=live.cookie_header(alice))
        try:
            await client.handshake()
            await asyncio.to_thread(post, live_portal, alice, "/logout/")
            assert await closed_with(client.ws) == (ENDED, "logged out")
        finally:
            await client.close()
        deadline = time.monotonic() + 5
        while not re.search(r"console session \d+ closed: logged out",
                            live.live_log(live_portal)):
            assert time.monotonic() < deadline, "the relay did not record the logout"
            await asyncio.sleep(0.1)
