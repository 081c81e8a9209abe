"""A portal session's open WebSockets end with it: logout, a project switch (whose old token
is revoked) and expiry close /ws/events/ and every console relay the session opened.
Before, an open console kept relaying after logout and /ws/events/ kept delivering the
project's events.

- Each accepted socket runs a SessionWatch: its own channel in the channel-layer group
  `session.<hash of the session key>` (`end_session_sockets` sends the close there), a
  clock that ends it when the session's token expires, and a look at the session in the
  database every PORTAL_WS_SESSION_CHECK seconds (30), which catches what a message
  cannot: a logout while Redis was down, a session deleted or expired server-side.
- The consumer says how it closes: code SESSION_ENDED (4401) and the reason ("logged
  out", "project switched", "session expired"); the console relay records the reason.
"""

import asyncio
import hashlib
import logging
import os
import time
from collections.abc import Awaitable, Callable

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils.dateparse import parse_datetime

log = logging.getLogger(__name__)

SESSION_ENDED = 4401          # the close code of a socket whose session ended
END = "session.end"           # the channel-layer message type
LOGGED_OUT = "logged out"
SWITCHED = "project switched"
EXPIRED = "session expired"
ENDED = "session ended"       # gone from the database (a logout not heard, or expired)


def group(session_key: str) -> str:
    """The channel-layer group of one session's sockets (the key itself never leaves
    the process: it is the session's secret)."""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:32]


def check_every() -> float:
    return float(getattr(settings, "PORTAL_WS_SESSION_CHECK",
                         os.environ.get("PORTAL_WS_SESSION_CHECK", "30")))


def end_session_sockets(session_key: str | None, reason: str) -> bool:
    """Close every open socket of the session (from sync code: views, middleware). Never
    fails the logout or switch that calls it: with Redis down the sockets still find out
    at their next database check."""
    if not session_key:
        return False
    try:
        async_to_sync(get_channel_layer().group_send)(group(session_key),
                                                      {"type": END, "reason": reason})
        return True
    except Exception:  # noqa: BLE001 - Redis down or slow: the periodic check catches it
        log.warning("could not tell the session's sockets to close (%s)", reason,
                    exc_info=True)
        return False


def _state_in_db(session_key: str, token: str) -> str | None:
    """Why the session no longer backs a socket opened with `token`, or None if it does."""
    from django.contrib.sessions.backends.db import SessionStore

    from .session import KEY

    data = SessionStore(session_key).load().get(KEY)      # {} once deleted or expired
    if not data:
        return ENDED
    if data.get("token") != token:
        return SWITCHED
    return None


class SessionWatch:
    """Runs beside one accepted socket and calls `on_end(reason)` once, when its session
    ends. `stop()` when the socket closes for any other reason."""

    def __init__(self, session_key: str, token: str, expires_at: str,
                 on_end: Callable[[str], Awaitable[None]]):
        self.session_key, self.token = session_key, token
        expires = parse_datetime(expires_at) if expires_at else None
        self.deadline = expires.timestamp() if expires else time.time()
        self.on_end = on_end
        self.layer = None
        self.channel: str | None = None
        self.tasks: list[asyncio.Task] = []
        self.ended = False

    async def start(self) -> None:
        try:
            self.layer = get_channel_layer()
            self.channel = await self.layer.new_channel()
            await self.layer.group_add(group(self.session_key), self.channel)
            self.tasks.append(asyncio.create_task(self._listen()))
        except Exception:  # noqa: BLE001 - no channel layer: the clock still watches
            log.warning("session watch without channel layer", exc_info=True)
            self.channel = None
        self.tasks.append(asyncio.create_task(self._clock()))

    async def stop(self) -> None:
        current = asyncio.current_task()
        for task in self.tasks:
            if task is not current:
                task.cancel()
        if self.channel is not None:
            channel, self.channel = self.channel, None
            try:
                await self.layer.group_discard(group(self.session_key), channel)
            except Exception:  # noqa: BLE001 - the group entry expires by itself
                log.info("session group discard failed", exc_info=True)

    async def _end(self, reason: str) -> None:
        if not self.ended:
            self.ended = True
            await self.on_end(reason)

    async def _listen(self) -> None:
        try:
            while True:
                message = await self.layer.receive(self.channel)
                if message.get("type") == END:
                    return await self._end(message.get("reason") or LOGGED_OUT)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - Redis went: the clock's checks carry on
            log.warning("session watch lost the channel layer", exc_info=True)

    async def _clock(self) -> None:
        every = check_every()
        while True:
            left = self.deadline - time.time()
            if left <= 0:
                return await self._end(EXPIRED)
            await asyncio.sleep(min(left, every))
            if self.deadline - time.time() <= 0:
                continue                                    # expired: said at the top
            try:
                reason = await database_sync_to_async(_state_in_db)(self.session_key,
                                                                    self.token)
            except Exception:  # noqa: BLE001 - database busy: look again next time
                log.warning("session check failed", exc_info=True)
                continue
            if reason:
                return await self._end(reason)
