"""The portal's channel layer: channels-redis, made safe to cancel and to lose Redis.

Why (issue 16): after a Redis outage the web process sometimes never answered
/ws/events/ again. The first socket after Redis came back failed its group_add (a
pooled connection the restart had closed), so channels tore the consumer down: it
cancels the consumer's pending `receive()` and waits for it. That receive was at that
moment opening its own new connection, inside redis-py's `asyncio.wait_for` around the
socket write, and on Python 3.11 `wait_for` drops a cancellation that arrives as the
write completes (CPython gh-86296, fixed in 3.12). The receive then went on blocking in
BZPOPMIN, 5 s at a time, for good; the consumer waited on it, so the handshake was never
answered and the page's reconnect hung.

- `receive()` runs channels-redis' receive as a task of its own: cancelled, it returns
  at once and keeps cancelling that task until it is gone, so no consumer waits on it.
- Each connection retries a command once on a connection error (a connection the
  restart closed is replaced instead of failing the socket) and connects within
  CONNECT_TIMEOUT, not redis-py's socket timeout.
"""

import asyncio
import logging

from channels_redis.core import RedisChannelLayer
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 2          # seconds: a Redis that does not answer costs seconds
RECANCEL_EVERY = 0.05        # seconds between cancels of a receive that ignored one
RECANCEL_TRIES = 200         # ~10 s; a BZPOPMIN honours the next cancel at once

# What a consumer meets when Redis is away or went away (redis-py wraps the socket's
# OSError): it says so and closes, and the page retries (portal/consumers.py).
LAYER_DOWN = (RedisError, asyncio.TimeoutError)


def host_options(url: str, socket_timeout: float) -> dict:
    """One channel-layer host (settings.CHANNEL_LAYERS): each redis-py connection
    retries a command once after a connection error, with a fresh connection."""
    return {"address": url, "socket_timeout": socket_timeout,
            "socket_connect_timeout": CONNECT_TIMEOUT, "retry": Retry(NoBackoff(), 1)}


def cancel_until_done(task: asyncio.Task, tries: int = RECANCEL_TRIES) -> None:
    """Cancel `task`, and again while it is still running: a cancel swallowed once (see
    above) is not the end of it. Its outcome is retrieved, so nothing is left unread."""
    if task.done():
        if not task.cancelled() and task.exception() is not None:
            log.debug("a cancelled channel-layer receive ended with %r", task.exception())
        return
    task.cancel()
    if tries <= 0:
        log.warning("a channel-layer receive ignored its cancellation; left to end alone")
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        return
    asyncio.get_running_loop().call_later(RECANCEL_EVERY, cancel_until_done, task,
                                          tries - 1)


class PortalChannelLayer(RedisChannelLayer):
    async def receive(self, channel):
        task = asyncio.ensure_future(super().receive(channel))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            cancel_until_done(task)
            raise
