"""A console ends with its portal session even when no logout message reaches it (Redis
down at logout, a session deleted or expired server-side): the relay looks at the session
on its own clock. In process, with the counting upstream of test_security."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from django.contrib.sessions.backends.db import SessionStore

from consoles.models import ConsoleSession
from portal.session import KEY
from tests.consoles.test_security import connect, mint, session_for, upstream, user_data

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["upstream"]      # the fixture, used by name


async def open_console(up, key):
    comm, connected = await connect(await mint("alice", key, up.port), key)
    assert connected
    assert await comm.receive_from(timeout=5) == b"RFB 003.008\n"
    return comm


async def reason_recorded() -> str:
    await asyncio.sleep(0.2)
    row = await sync_to_async(ConsoleSession.objects.get)(user_name="alice")
    return row.close_reason


async def test_console_ends_when_its_session_is_deleted(upstream, settings):
    settings.PORTAL_WS_SESSION_CHECK = 0.2
    key = await session_for("alice")
    comm = await open_console(upstream, key)
    await sync_to_async(SessionStore(key).delete)()
    assert await comm.receive_output(timeout=3) == {
        "type": "websocket.close", "code": 4401, "reason": "session ended"}
    assert await reason_recorded() == "session ended"


async def test_console_ends_when_the_session_changes_token(upstream, settings):
    """A project switch whose message was lost: the session now holds another token."""
    settings.PORTAL_WS_SESSION_CHECK = 0.2
    key = await session_for("alice")
    comm = await open_console(upstream, key)

    @sync_to_async
    def switch():
        store = SessionStore(key)
        store[KEY] = {**store[KEY], "token": "another-token"}
        store.save()
    await switch()
    out = await comm.receive_output(timeout=3)
    assert (out["code"], out["reason"]) == (4401, "project switched")
    assert await reason_recorded() == "project switched"


async def test_console_ends_when_the_token_expires(upstream):
    @sync_to_async
    def short_session() -> str:
        store = SessionStore()
        store[KEY] = {**user_data("alice"),
                      "expires_at": (datetime.now(UTC) + timedelta(seconds=1)).isoformat()}
        store.create()
        return store.session_key
    comm = await open_console(upstream, await short_session())
    out = await comm.receive_output(timeout=4)
    assert (out["code"], out["reason"]) == (4401, "session expired")
    assert await reason_recorded() == "session expired"
