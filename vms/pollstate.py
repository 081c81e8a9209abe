"""The poller's own state, in Redis (shared by every worker and web process):

    since       the changes-since for the next poll (Nova's own clock, never ours)
    last_good   when a poll last succeeded (epoch seconds)
    failures    consecutive failed polls (0 when Nova answers)
    next_at     when the next poll is due; beat fires every second, the task decides
    lock        held while a poll runs, so two never overlap: a short lease the poll renews
                while it runs, so a worker killed mid-poll frees it within LEASE seconds
"""

import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from redis.exceptions import RedisError

from portal import notifications, polllease
from portal.redisconn import client, scoped

log = logging.getLogger(__name__)

# How often to poll: FAST while anything is in transition, SLOW otherwise. A change made
# outside the portal (the CLI, another tool) is seen only by polling, so SLOW bounds how
# late it reaches the pages: at 1 s (the beat's own period) a CLI change is on the page
# within about 1.2 s p95 (bench/live_cost.py). A quiet poll costs one Nova call that lists
# nothing (changes-since), no Neutron call: 60 Nova calls a minute, whatever the number of
# open pages. PORTAL_POLL_QUIET_INTERVAL trades that latency for fewer calls.
FAST = 1.0
SLOW = max(FAST, float(getattr(settings, "POLL_QUIET_INTERVAL", 1.0)))
BEAT_SLACK = 0.3  # beat's ticks drift by a few milliseconds either way
MAX_BACKOFF = 60.0
LEASE = 3  # seconds the poll lock outlives its holder; renewed every LEASE / 3 while it polls
# (10 s kept the open pages 10.4 s without updates after a worker was SIGKILLed mid-poll:
# bench/worker_kill.py)
STALE_AFTER = 75.0  # no good poll for this long (a worker down): pages say status may be stale

def _prefix() -> str:
    """The poll cursor belongs with the database holding the last-seen state it is relative
    to: two portals (or a test run beside a live portal) on one Redis keep separate ones."""
    return scoped("vms:poll")


def _get(name: str):
    value = client().get(_prefix() + name)
    return value.decode() if value is not None else None


def since() -> str | None:
    return _get("since")


def set_since(value: str) -> None:
    client().set(_prefix() + "since", value)


def last_good() -> float | None:
    value = _get("last_good")
    return float(value) if value else None


def failures() -> int:
    return int(_get("failures") or 0)


def next_at() -> float:
    return float(_get("next_at") or 0)


def succeeded(now: float, transitional: bool, started: float | None = None) -> None:
    """Due again one interval after this poll *started*, less a little: beat's next
    second must find it due, not a hair early (which would make every tick two)."""
    # While the notification listener is alive, a quiet poll only reconciles, and one in
    # transition fills in the steps Nova's notifications leave out (portal.notifications).
    interval = (notifications.transit_interval(FAST) if transitional
                else notifications.quiet_interval(SLOW))
    pipe = client().pipeline()
    pipe.set(_prefix() + "last_good", now)
    pipe.set(_prefix() + "failures", 0)
    pipe.set(_prefix() + "next_at", (started or now) + interval - BEAT_SLACK)
    pipe.execute()


def failed(now: float) -> float:
    """Back off: 2, 4, 8 … seconds up to MAX_BACKOFF. Returns the delay chosen."""
    count = client().incr(_prefix() + "failures")
    delay = min(MAX_BACKOFF, 2.0 ** count)
    client().set(_prefix() + "next_at", now + delay)
    return delay


def kick() -> None:
    """Poll at the next beat (a launch, an action or a delete just changed something)."""
    pipe = client().pipeline()
    pipe.set(_prefix() + "next_at", 0)
    pipe.set(_prefix() + "kicked_at", time.time())
    pipe.execute()


def kicked_after(started: float) -> bool:
    """Whether a kick came while a poll that started then was running (its list may be
    older than the change: the poll that finds the lock held is dropped, and the running
    one's succeeded() would push next_at a tick away)."""
    return float(_get("kicked_at") or 0) > started


def leased():
    """Hold the poll lock while the block runs (portal.polllease: renewed while the poll
    runs, lapsing LEASE seconds after a holder that died)."""
    return polllease.leased(_prefix() + "lock", LEASE)


def reset() -> None:
    client().delete(*(_prefix() + k for k in ("since", "last_good", "failures", "next_at",
                                           "lock")))


def staleness(now: float | None = None) -> dict | None:
    """None when the status on the pages is fresh; otherwise why it may be stale and the
    time of the last good poll. With Redis down (where the poller's state and the live
    channel are) the page still answers: {"live_paused": True}."""
    import time

    now = now or time.time()
    try:
        # one round trip for both: every instances page asks
        raw_good, raw_failing = client().mget([_prefix() + "last_good",
                                               _prefix() + "failures"])
        good = float(raw_good) if raw_good else None
        failing = int(raw_failing or 0)
    except (RedisError, OSError) as exc:
        log.warning("poller state unavailable: %s", exc)
        return {"live_paused": True, "last_good": None, "nova_down": False}
    if good is not None and not failing and now - good < STALE_AFTER:
        return None
    return {"last_good": datetime.fromtimestamp(good, UTC) if good else None,
            "nova_down": failing > 0}
