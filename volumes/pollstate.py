"""When the volumes poll is due, in Redis: every beat tick by polling alone, about once a
minute (reconciliation) while the notification listener hears Cinder, whose volume.*.end
and snapshot.*.end kick it (portal/notification_polls.py). A volume in transition keeps
the tick's pace (its end notification may be one Cinder does not send, e.g. reserved)."""



from portal import notifications
from portal.redisconn import client, scoped

INTERVAL = 1.0
BEAT_SLACK = 0.3


def _key() -> str:
    """Per database, as the other pollers' state (two portals on one Redis)."""
    return scoped("volumes:poll") + "next_at"


def due(now: float) -> bool:
    return now >= float(client().get(_key()) or 0)


def polled(started: float, transitional: bool) -> None:
    interval = INTERVAL if transitional else notifications.quiet_interval(INTERVAL)
    client().set(_key(), started + interval - BEAT_SLACK)


def kick() -> None:
    client().set(_key(), 0)
