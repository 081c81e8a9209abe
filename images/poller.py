"""The images poller: one Glance list per tick for the whole cloud, with the service
account, and the rows that changed pushed to the pages that show them (images.live).

    1 Glance call   GET /v2/images?visibility=all&limit=1000&sort_key=updated_at&sort_dir=desc
                    (one more per thousand images: Glance's api_limit_max)

Glance has no changes-since, and an image it deleted leaves no tombstone in its list: a
list filtered by `updated_at=gte:` would see every change but no deletion. So each tick
lists every image (one call on a cloud of under a thousand, ~1 KB an image) and compares
a digest per image with the last tick's (in Redis): new or changed images are pushed,
ids gone are removed. Nothing is asked per image, per page or per browser.

Where a row goes (what the project's own list would show on reload, selectors.usable):
a private or shared image to its owner's pages only; a public or community one to every
project's (Keystone's projects: one more call on such a tick), the owner's with its own
variant. An image that stops being public or community leaves the other projects' pages.
A shared image's row does not reach the projects it was shared with (finding them costs
a members call per image): those see it change on reload.
"""

import hashlib
import json
import time

from portal import polllease, reads
from portal.cloud import service_connection
from portal.events import publish
from portal.redisconn import client, scoped

from . import fragments, live

LIMIT = 1000    # Glance's [DEFAULT] api_limit_max: the most one call returns
LEASE = 5       # seconds the poll lock outlives a holder that died (portal.polllease)
EVERYONE = {"public", "community"}
SEEN = ("status", "name", "visibility", "size", "virtual_size", "min_disk", "min_ram",
        "disk_format", "container_format", "protected", "owner", "image_type", "checksum")


def _key(name: str) -> str:
    return scoped("images:poll") + name


def tick(conn=None) -> dict:
    return polllease.run(_key("lock"), LEASE, "images",
                         lambda: poll(conn or service_connection()))


def listed(conn) -> list[dict]:
    """Every image of the cloud, most recently changed first."""
    query = {"visibility": "all", "limit": LIMIT, "sort_key": "updated_at",
             "sort_dir": "desc"}
    out = []
    while True:
        body = reads.get(conn.image, "/images", query)
        batch = body.get("images", [])
        out += batch
        if not (body.get("next") and batch):
            return out
        query["marker"] = batch[-1]["id"]


def _digest(image: dict) -> str:
    seen = [image.get(f) for f in SEEN]
    return hashlib.sha1(json.dumps(seen, default=str).encode()).hexdigest()[:16]


def _seen() -> dict | None:
    raw = client().get(_key("seen"))
    return json.loads(raw) if raw is not None else None


def poll(conn) -> dict:
    started = time.time()
    images = listed(conn)
    now = {i["id"]: [_digest(i), i.get("owner") or "", i.get("visibility") or ""]
           for i in images}
    before = _seen()
    if before is None:  # the first tick only learns what there is
        client().set(_key("seen"), json.dumps(now))
        return {"polled": True, "images": len(images), "changed": 0, "gone": 0}
    changed = [i for i in images if before.get(i["id"], [None])[0] != now[i["id"]][0]]
    gone = {i: v for i, v in before.items() if i not in now}
    out = Fragments(conn)
    for image in changed:
        out.changed(image, before.get(image["id"]))
    for image_id, (_, owner, visibility) in gone.items():
        out.gone(image_id, owner, visibility)
    out.send()
    client().set(_key("seen"), json.dumps(now))
    return {"polled": True, "images": len(images), "changed": len(changed),
            "gone": len(gone), "seconds": round(time.time() - started, 3)}


class Fragments:
    """The tick's fragments by (project, audience or None), sent once per group."""

    def __init__(self, conn):
        self.conn = conn
        self.by_group: dict[tuple, list[str]] = {}
        self._projects: list[str] | None = None

    def projects(self) -> list[str]:
        """Keystone's projects, asked once on a tick where a public or community image
        changed (rare, and then a project made a minute ago gets the row too)."""
        if self._projects is None:
            self._projects = [p["id"] for p in reads.collection(
                self.conn.identity, "/projects", "projects")]
        return self._projects

    def add(self, project_id: str, html: dict[str | None, str]) -> None:
        for audience, fragment in html.items():
            self.by_group.setdefault((project_id, audience), []).append(fragment)

    def to_others(self, owner: str, html: dict[str | None, str]) -> None:
        for project_id in self.projects():
            if project_id != owner:
                self.add(project_id, html)

    def changed(self, image: dict, was: list | None) -> None:
        owner = image.get("owner") or ""
        if owner:
            self.add(owner, fragments.for_project(image, owner))
        if image.get("visibility") in EVERYONE:
            self.to_others(owner, fragments.for_project(image, None))
        elif was and was[2] in EVERYONE:  # no longer theirs to use
            self.to_others(owner, {None: live.removed(image["id"])})

    def gone(self, image_id: str, owner: str, visibility: str) -> None:
        html = {None: live.removed(image_id)}
        if owner:
            self.add(owner, html)
        if visibility in EVERYONE:
            self.to_others(owner, html)

    def send(self) -> None:
        for (project_id, audience), html in self.by_group.items():
            publish(project_id, "".join(html), kind="image.changed", audience=audience)



def reset() -> None:
    """Forget what the last tick saw (tests): the next tick only learns again."""
    client().delete(_key("seen"))
