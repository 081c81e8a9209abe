"""An open console session beats (ConsoleSession.seen_at); one whose web process died stops
beating, stops counting against the cap, and the beat task ends it as "relay lost"."""

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from consoles import records, tasks
from consoles.models import ConsoleSession

from .test_security import connect, mint, session_for, upstream  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_open_session_beats(upstream, settings):  # noqa: F811
    settings.PORTAL_CONSOLE_HEARTBEAT = 0.2
    key = await session_for("alice")
    comm, connected = await connect(await mint("alice", key, upstream.port), key)
    assert connected
    first = (await sync_to_async(ConsoleSession.objects.get)(user_name="alice")).seen_at
    await asyncio.sleep(0.7)
    row = await sync_to_async(ConsoleSession.objects.get)(user_name="alice")
    assert row.seen_at > first and row.ended_at is None
    await comm.disconnect()


def lost_session(minutes_ago: int) -> ConsoleSession:
    seen = timezone.now() - timedelta(minutes=minutes_ago)
    return ConsoleSession.objects.create(
        user_id="id-alice", user_name="alice", role="member", via="user token",
        server_id="s1", project_id="p-alpha", console_type="novnc", mode="proxy",
        started_at=seen - timedelta(minutes=1), seen_at=seen, sockets=1, open_sockets=1)


def test_a_session_that_stopped_beating_is_ended_as_relay_lost():
    lost = lost_session(minutes_ago=10)
    beating = lost_session(minutes_ago=0)
    assert records.open_count("id-alice") == 1            # the lost one no longer counts
    assert tasks.close_lost() == 1
    lost.refresh_from_db()
    beating.refresh_from_db()
    assert lost.close_reason == records.LOST and lost.ended_at == lost.seen_at
    assert lost.open_sockets == 0
    assert beating.ended_at is None and beating.close_reason == ConsoleSession.OPEN
    assert tasks.close_lost() == 0


async def test_a_lost_session_does_not_hold_the_cap(upstream, settings):  # noqa: F811
    settings.PORTAL_CONSOLE_MAX_PER_USER = 1
    await sync_to_async(lost_session)(minutes_ago=10)
    key = await session_for("alice")
    comm, connected = await connect(await mint("alice", key, upstream.port), key)
    assert connected
    await comm.disconnect()


def test_a_session_ended_as_lost_is_pushed_to_the_open_pages(settings):
    """Beat's close_lost sends the ended row to the session's project (the audit page
    is live), over the real channel layer."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from portal.events import ALL_PROJECTS_GROUP, project_group

    lost = lost_session(minutes_ago=10)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    for group in (project_group("p-alpha"), ALL_PROJECTS_GROUP):
        async_to_sync(layer.group_add)(group, channel)
    try:
        assert tasks.close_lost() == 1
        got = [async_to_sync(layer.receive)(channel)["html"] for _ in range(2)]
    finally:
        for group in (project_group("p-alpha"), ALL_PROJECTS_GROUP):
            async_to_sync(layer.group_discard)(group, channel)
    for html in got:
        assert f'id="console-session-{lost.pk}"' in html
        assert 'data-live-v-state="closed"' in html and records.LOST in html
