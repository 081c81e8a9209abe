"""The console sessions list is live: a session opened, closed or refused on a web process
reaches the open audit pages of its project and of those who see every project (helpdesk,
admin) as the row the page itself shows; another project's pages hear nothing of it."""

import asyncio
import re
import uuid

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.portal.test_events_ws import connect, heard, hears_nothing_of

from . import live

ROW = re.compile(r'<tr id="(console-session-\d+)".*?</tr>', re.S)


def row_of(html: str, element_id: str) -> str:
    found = {m.group(1): m.group(0) for m in ROW.finditer(html)}
    assert element_id in found, f"{element_id} is not on the page"
    return found[element_id]


async def refused_console(portal, session) -> None:
    """A console socket with a ticket that does not exist: refused, recorded."""
    url = live.ws_url(portal, f"/ws/consoles/{uuid.uuid4().hex}{uuid.uuid4().hex}/")
    try:
        async with websockets.connect(url, origin=portal.url, open_timeout=5,
                                      additional_headers=live.cookie_header(session)) as ws:
            await asyncio.wait_for(ws.recv(), timeout=5)
    except (InvalidStatus, websockets.ConnectionClosed):
        pass


async def test_a_refused_console_reaches_its_project_and_the_helpdesk_only(live_portal, cloud):
    alice, bob, helpdesk = [await asyncio.to_thread(live_portal.login, who, cloud)
                            for who in ("alice", "bob", "helpdesk")]
    async with await connect(live_portal, alice) as alice_ws, \
            await connect(live_portal, bob) as bob_ws, \
            await connect(live_portal, helpdesk) as helpdesk_ws:
        await asyncio.sleep(0.2)
        await refused_console(live_portal, alice)
        marker = 'data-live-row="console-sessions"'
        said = await heard(helpdesk_ws, marker)
        assert 'data-live-v-state="refused"' in said
        assert cloud.accounts["alice"].username in said
        assert marker in await heard(alice_ws, marker)
        await hears_nothing_of(bob_ws, marker)
    # The pushed row is the row the page shows once loaded.
    element_id = re.search(r'id="(console-session-\d+)"', said).group(1)
    pushed = row_of(said, element_id)
    page = await asyncio.to_thread(helpdesk.get, f"{live_portal.url}/consoles/sessions/",
                                   timeout=30)
    assert row_of(page.text, element_id) == pushed
    assert 'data-live-list="console-sessions"' in page.text


@pytest.mark.devcloud_only(reason="needs a console behind the cloud's proxy")
async def test_a_session_shows_open_then_closed_with_its_bytes(live_portal, cloud,
                                                                alice_server):
    from tests.rfb import RFBClient

    alice, helpdesk = [await asyncio.to_thread(live_portal.login, who, cloud)
                       for who in ("alice", "helpdesk")]
    async with await connect(live_portal, helpdesk) as helpdesk_ws:
        await asyncio.sleep(0.2)
        page = await asyncio.to_thread(alice.get,
                                       f"{live_portal.url}/consoles/{alice_server.id}/")
        client = await RFBClient.websocket(live.ws_url(live_portal, live.ws_path(page.text)),
                                           origin=live_portal.url,
                                           headers=live.cookie_header(alice))
        await client.handshake()
        opened = await heard(helpdesk_ws, 'data-live-v-state="open"', within=10)
        element_id = re.search(r'id="(console-session-\d+)"', opened).group(1)
        assert alice_server.id in opened
        await client.close()
        closed = await heard(helpdesk_ws, f'id="{element_id}"', within=10)
        assert 'data-live-v-state="closed"' in closed
        assert int(re.search(r"<td data-bytes-to-client>(\d+)</td>", closed).group(1)) > 0


def test_a_page_filtered_or_ended_before_today_says_which_rows_it_takes():
    from datetime import date

    from consoles import live as sessions_live

    attrs = sessions_live.list_attrs({"user": "a.b", "state": "open"}, shown=3, limit=200)
    assert '[[&quot;user&quot;, &quot;search&quot;, &quot;a\\\\.b&quot;]' in attrs
    assert "data-live-first" in attrs and "data-live-last" in attrs
    past = sessions_live.list_attrs({"until": date(2020, 1, 1)}, shown=200, limit=200)
    assert "data-live-first" not in past and "data-live-last" not in past
