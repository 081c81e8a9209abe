"""The flavors poller: the admins' flavors list follows flavors made, changed and
deleted anywhere (the portal, another admin, the CLI).

    1 Nova call every INTERVAL s   GET /flavors/detail?is_public=None (every flavor:
                                   vms.flavors.listed, the page's own call)
    only when some changed         the access list of each changed private flavor
                                   (concurrently; Nova has no call that lists them all)

Nova's flavors have no changes-since, and one deleted leaves no trace in the list: each
poll compares a digest per flavor with the last one's (in Redis), pushes the rows of new
and changed ones and removes the ids gone, to every cloud admin's open pages. Flavors
change seldom, and only admins see the page, so it is polled every INTERVAL seconds, not
every second (12 Nova calls a minute, with or without notifications: devcloud sends no
flavor notifications, so polling is what keeps its list live); the portal's own changes
kick it (the row follows at the next beat), and so do Nova's flavor.create, .update and
.delete notifications.

Who may use a private flavor (its access list) is not in the flavors list: a change of
it through the portal re-renders that flavor's row (`kick(flavor_id)`), and so does
Nova's flavor.update notification (the CLI's). By polling alone, an access change made
with the CLI shows on reload.
"""

import hashlib
import json
import time

from portal import polllease
from portal.actor import Actor
from portal.cloud import service_connection
from portal.events import publish_to_admins
from portal.redisconn import client, scoped

from . import flavor_rows, flavors

INTERVAL = 5.0
LEASE = 5
BEAT_SLACK = 0.3
SEEN = ("name", "vcpus", "ram", "disk", "ephemeral", "swap", "is_public", "description")


def _key(name: str) -> str:
    return scoped("flavors:poll") + name


def kick(flavor_id: str = "") -> None:
    """Poll at the next beat; with a flavor id, push its row then even if the list shows
    no change (its access list changed)."""
    pipe = client().pipeline()
    pipe.set(_key("next_at"), 0)
    if flavor_id:
        pipe.sadd(_key("forced"), flavor_id)
    pipe.execute()


def tick(force: bool = False, conn=None) -> dict:
    now = time.time()
    if not force and now < float(client().get(_key("next_at")) or 0):
        return {"polled": False, "reason": "not due"}
    return polllease.run(_key("lock"), LEASE, "flavors", lambda: _poll_due(now, conn))


def _poll_due(now: float, conn) -> dict:
    """A poll, due again INTERVAL after this one whether the cloud answers or not. Set
    before it lists: a kick while it runs (a change it may list too late) polls again."""
    client().set(_key("next_at"), now + INTERVAL - BEAT_SLACK)
    return poll(conn or service_connection())


def _digest(row: dict) -> str:
    seen = [row.get(f) for f in SEEN]
    return hashlib.sha1(json.dumps(seen, default=str).encode()).hexdigest()[:16]


def poll(conn) -> dict:
    rows = flavors.listed(conn)
    now = {r["id"]: _digest(r) for r in rows}
    raw = client().get(_key("seen"))
    # taken and cleared at once: an id a kick adds meanwhile stays for the next poll
    pipe = client().pipeline()
    pipe.smembers(_key("forced"))
    pipe.delete(_key("forced"))
    forced = {m.decode() for m in pipe.execute()[0]}
    client().set(_key("seen"), json.dumps(now))
    if raw is None:  # the first poll only learns what there is
        return {"polled": True, "flavors": len(rows), "changed": 0, "gone": 0}
    before = json.loads(raw)
    changed = [r for r in rows if before.get(r["id"]) != now[r["id"]] or r["id"] in forced]
    gone = [i for i in before if i not in now]
    flavors.fill_access(Actor.service(conn=conn), changed)
    html = [flavor_rows.render(r) for r in changed] + [flavor_rows.removed(i) for i in gone]
    if html:
        publish_to_admins("".join(html), kind="flavor.changed")
    return {"polled": True, "flavors": len(rows), "changed": len(changed),
            "gone": len(gone)}


def reset() -> None:
    keys = client().keys(_key("*"))
    if keys:
        client().delete(*keys)
