"""The networks poller's state, in Redis (shared by every worker and web process):

    seen:<kind>   what the last poll saw of one kind: {id: [revision_number, project_id,
                  network_id]} as JSON (network_id for subnets and ports, so a subnet's
                  change or deletion re-renders its network's row and detail page, a
                  port's its network's detail page)
    next_at       when the next poll is due; beat fires every second, the task decides
    lock          held while a poll runs (portal.polllease: renewed while it runs, so a
                  killed worker frees it within LEASE seconds and a long poll is never
                  joined by a second one)

A poll's lists cost the cloud what they cost: a real Neutron on this 2-core machine took
8 s to list 500 networks and 21 s for 1,300 floating IPs (ids and revisions only) while
it was making more. So the next poll waits at least as long as the last one took
(PACE): however large the cloud, polling keeps Neutron busy half the time at most, and
the pages' own calls are answered between the polls.
"""

import json
import time

from portal import notifications, polllease
from portal.redisconn import client, scoped

INTERVAL = 1.0  # a change made with the CLI is on the page within about a tick and a half
BEAT_SLACK = 0.3
LEASE = 5  # seconds the lock outlives a holder that died mid-poll
PACE = 1.0  # the next poll waits at least this many times as long as the last one took


def _prefix() -> str:
    """Per database, as the vms poller's (two portals on one Redis keep their own)."""
    return scoped("networks:poll")


def seen(kind: str) -> dict | None:
    """None before the first poll of this kind (which then only records, publishes nothing)."""
    raw = client().get(_prefix() + "seen:" + kind)
    return json.loads(raw) if raw is not None else None


def set_seen(kind: str, value: dict) -> None:
    client().set(_prefix() + "seen:" + kind, json.dumps(value))


def due(now: float) -> bool:
    raw = client().get(_prefix() + "next_at")
    return now >= float(raw or 0)


def polled(started: float, now: float | None = None) -> None:
    """Due again a tick later (a minute later while notifications arrive: they kick it),
    and no sooner than PACE times the poll's own time after it ended."""
    now = time.time() if now is None else now
    interval = notifications.quiet_interval(INTERVAL)
    due_at = max(started + interval, now + PACE * max(0.0, now - started))
    client().set(_prefix() + "next_at", due_at - BEAT_SLACK)


def leased():
    return polllease.leased(_prefix() + "lock", LEASE)


def reset() -> None:
    keys = client().keys(_prefix() + "*")
    if keys:
        client().delete(*keys)


def kick() -> None:
    """Poll at the next beat (the portal itself just changed something)."""
    pipe = client().pipeline()
    pipe.set(_prefix() + "next_at", 0)
    pipe.set(_prefix() + "kicked_at", time.time())
    pipe.execute()


def kicked_after(started: float) -> bool:
    """Whether a kick came while a poll that started then was running (as the vms
    poller's: the task the kick sent found the lock held)."""
    return float(client().get(_prefix() + "kicked_at") or 0) > started
