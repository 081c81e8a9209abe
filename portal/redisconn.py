"""The portal's own Redis connection, for locks and small shared state that must not live
in the cache (which may be evicted or cleared): the poller's cursor, the console cap, the
login throttle. Its Redis is the "locks" role (REDIS_LOCKS_URL, else REDIS_URL)."""

import hashlib
import os

import redis
from django.conf import settings

_client: redis.Redis | None = None


def client() -> redis.Redis:
    global _client
    if _client is None:
        # A Redis that does not answer costs a page seconds, not minutes: the callers
        # (pages, the poller) say so and go on.
        _client = redis.Redis.from_url(settings.REDIS_ROLES["locks"],
                                       socket_connect_timeout=2, socket_timeout=5)
    return _client


# Clients for one Redis role's URL each (readiness and metrics ask every role), with a
# short timeout: a probe says "down" in two seconds instead of hanging the probe.
PROBE_TIMEOUT = 2.0
_probes: dict[str, redis.Redis] = {}


def for_url(url: str) -> redis.Redis:
    probe = _probes.get(url)
    if probe is None:
        probe = _probes[url] = redis.Redis.from_url(
            url, socket_connect_timeout=PROBE_TIMEOUT, socket_timeout=PROBE_TIMEOUT)
    return probe


def forget_probes() -> None:
    _probes.clear()


def scoped(name: str) -> str:
    """A key prefix for one poller's state, per database: that state is relative to what
    the database holds, so two portals (or a test run beside a live portal) on one Redis
    keep their own."""
    db = settings.DATABASES["default"]
    where = f"{db.get('HOST', '')}:{db.get('PORT', '')}:{db['NAME']}"
    if "memory" in str(db["NAME"]) or not db["NAME"]:
        where += f":{os.getpid()}"  # an in-memory database belongs to this process only
    return f"stackport:{name}:{hashlib.sha1(where.encode()).hexdigest()[:10]}:"
