"""/ws/consoles/<ticket>/: the console relay.

connect: same-origin check, the session's user, the ticket taken atomically and checked
against user and session, the per-user cap; only then is the upstream opened, so a refused
socket never sends a byte to the cloud. Then binary frames are relayed both ways until one
side goes (the other is closed), or nothing moved for the idle timeout. Every socket leaves
a ConsoleSession row: a session with its byte counts and how it closed, or a refusal.

A plain AsyncConsumer, not AsyncWebsocketConsumer: no channel layer (nothing is ever sent to
a console socket through Redis) and no per-message database housekeeping, which would cost
a thread hop per frame.
"""

import asyncio
import logging
import time

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from portal import metrics
from portal.consumers import session_user
from portal.sessionsockets import SESSION_ENDED, SessionWatch
from portal.wsguards import REFUSED, same_origin

from . import conf, live, records, tickets
from .upstream import UpstreamError, open_upstream

log = logging.getLogger(__name__)


def client_address(scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


class ConsoleRelayConsumer(AsyncConsumer):
    channel_layer_alias = "stackport.consoles.none"   # not configured: no channel layer

    upstream = None
    record_id: int | None = None
    pump: asyncio.Task | None = None
    watchdog: asyncio.Task | None = None
    watch: SessionWatch | None = None
    user = None                 # the session's portal user, once the socket is accepted
    finished = False
    counted = False             # in stackport_websockets_open
    to_client = 0
    to_server = 0
    flushed_client = 0
    flushed_server = 0

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # However the socket ended, even by an error the server swallows (uvicorn drops
            # ClientDisconnected silently), the record ends and the upstream is closed.
            await self.finish("client closed")

    async def dispatch(self, message):
        kind = message["type"]
        if kind == "websocket.receive":
            await self.from_client(message)
        elif kind == "websocket.connect":
            await self.on_connect()
        elif kind == "websocket.disconnect":
            await self.finish("client closed")
            raise StopConsumer()

    # --- connect ---------------------------------------------------------------------
    async def refuse(self, reason: str, user=None, ticket=None) -> None:
        log.warning("console socket refused: %s (user=%s, from %s)", reason,
                    user.user_name if user else "-", client_address(self.scope))
        if user is not None:
            record_id = await database_sync_to_async(records.refused)(
                user, reason, ticket, client_address(self.scope))
            await live.aannounce(record_id, user)
        await self.base_send({"type": "websocket.close", "code": REFUSED})

    async def on_connect(self) -> None:
        if not same_origin(self.scope):
            return await self.refuse("foreign origin")
        user = await session_user(self.scope)
        if user is None or user.expired:
            return await self.refuse("no portal session")
        ticket = self.scope["url_route"]["kwargs"]["ticket"]
        try:
            row, target = await database_sync_to_async(tickets.take)(
                ticket, user.user_id, self.scope["session"].session_key)
        except tickets.Refused as exc:
            return await self.refuse(exc.reason, user, exc.ticket)
        # The cap counts sessions: a SPICE channel joining its session is not a new one.
        self.record_id = await database_sync_to_async(records.start_within_cap)(
            row, client_address(self.scope), conf.max_sessions_per_user())
        if self.record_id is None:
            return await self.refuse("too many open consoles", user, row)
        try:
            self.upstream = await open_upstream(target, conf.upstream_timeout())
        except UpstreamError as exc:
            log.warning("console upstream unreachable for server %s: %s", row.server_id, exc)
            await self.base_send({"type": "websocket.close", "code": REFUSED})
            await self.finish("upstream unreachable")
            return
        subprotocol = "binary" if "binary" in self.scope.get("subprotocols", []) else None
        if not await self.to_browser({"type": "websocket.accept", "subprotocol": subprotocol}):
            return await self.finish("client closed")     # it went while upstream opened
        self.counted = True
        metrics.WEBSOCKETS.labels("console").inc()
        metrics.CONSOLE_SOCKETS.labels(row.console_type).inc()
        self.last_activity = time.monotonic()
        self.pump = asyncio.create_task(self.from_upstream())
        self.watchdog = asyncio.create_task(self.watch_idle())
        # The session's logout, project switch or expiry ends the console too.
        self.watch = SessionWatch(self.scope["session"].session_key, user.token,
                                  user.expires_at, self.session_ended)
        await self.watch.start()
        log.info("console session %s opened: user=%s server=%s type=%s mode=%s",
                 self.record_id, user.user_name, row.server_id, row.console_type, row.mode)
        self.user = user
        await live.aannounce(self.record_id, user)     # open audit pages gain the row

    def unflushed(self) -> tuple[int, int]:
        delta = (self.to_client - self.flushed_client, self.to_server - self.flushed_server)
        self.flushed_client, self.flushed_server = self.to_client, self.to_server
        metrics.console_bytes(*delta)      # counted per beat, not per frame
        return delta

    # --- relay ---------------------------------------------------------------------------
    async def from_client(self, message) -> None:
        data = message.get("bytes")
        if data is None or self.upstream is None or self.finished:
            return       # RFB and SPICE are binary; a text frame means nothing here
        self.to_server += len(data)
        self.last_activity = time.monotonic()
        try:
            await self.upstream.send(data)
        except Exception:          # noqa: BLE001 - any failure upstream ends the session
            await self.finish("server closed")

    async def from_upstream(self) -> None:
        try:
            while (data := await self.upstream.recv()) is not None:
                self.to_client += len(data)
                self.last_activity = time.monotonic()
                if not await self.to_browser({"type": "websocket.send", "bytes": data}):
                    return await self.finish("client closed")
        except asyncio.CancelledError:
            raise
        except Exception:          # noqa: BLE001
            log.exception("console relay from upstream failed")
        await self.finish("server closed")

    async def to_browser(self, message) -> bool:
        """Send to the browser; False when it has gone (the server raises an OSError,
        uvicorn's ClientDisconnected, once the socket is closed)."""
        try:
            await self.base_send(message)
        except OSError:
            return False
        return True

    async def watch_idle(self) -> None:
        """Ends the session after the idle timeout; meanwhile beats (records.progress),
        which also keeps the audit page's byte counts current."""
        idle, beat = conf.idle_timeout(), conf.heartbeat()
        while not self.finished:
            quiet = time.monotonic() - self.last_activity
            if quiet >= idle:
                await self.finish("idle timeout")
                return
            await asyncio.sleep(min(idle - quiet, beat))
            if not self.finished:
                await database_sync_to_async(records.progress)(self.record_id,
                                                               *self.unflushed())

    async def session_ended(self, reason: str) -> None:
        await self.finish(reason, code=SESSION_ENDED)

    async def finish(self, reason: str, code: int = 1000) -> None:
        """End the session once, whichever side went first: close the other side, write
        the audit record."""
        if self.finished or self.record_id is None:
            self.finished = True
            return
        self.finished = True
        if self.counted:
            self.counted = False
            metrics.WEBSOCKETS.labels("console").dec()
        current = asyncio.current_task()
        for task in (self.pump, self.watchdog):
            if task is not None and task is not current:
                task.cancel()
        if self.watch is not None:
            await self.watch.stop()
        if reason != "client closed" and reason != "upstream unreachable":
            await self.to_browser({"type": "websocket.close", "code": code, "reason": reason})
        # The record first: the byte counts are final once the pump is cancelled, and the
        # upstream's closing handshake may take a while.
        await database_sync_to_async(records.end)(self.record_id, reason, *self.unflushed())
        await live.aannounce(self.record_id, self.user)
        log.info("console session %s closed: %s, %d bytes to client, %d to server",
                 self.record_id, reason, self.to_client, self.to_server)
        if self.upstream is not None:
            try:
                await self.upstream.close()
            except Exception:      # noqa: BLE001 - it is going anyway
                pass
