"""The volumes poller: one Cinder list call per tick for the whole cloud, with the
service account.

    1 Cinder call   GET /volumes/detail?all_tenants=1&updated_at=gte:<since>  (microversion
                    3.60; Cinder has no changes-since: "Invalid filters changes-since are
                    found in query options.")
    0 or 1 Nova     the attached servers' names (server_names.py: those the vms poller
                    knows cost nothing, the others one list call for all of them)

Each volume whose status, size, name, bootable flag or attachments differ from what the
last tick saw (a digest per volume, in Redis) has its row and badge published to its
project's pages. A deleted volume leaves no tombstone in Cinder's list, so while any
volume was last seen `deleting`, and every SWEEP seconds besides (a volume deleted within
one tick is never seen `deleting`: one made and deleted with the CLI stayed on open pages),
the tick lists without the updated_at filter (still one call) and every volume it no
longer shows is removed from the pages. `since` is the newest updated_at Cinder showed
(its own clock, never ours).
"""

import hashlib
import json
import logging

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as os_exc

from portal import polllease, reads
from portal.catalog import has_block_storage
from portal.cloud import service_connection
from portal.events import publish
from portal.redisconn import client

from . import fragments
from .server_names import attached_ids, server_names

log = logging.getLogger(__name__)
MV = "3.60"
PREFIX = "stackport:volumes:poll:"
LEASE = 5  # seconds the poll lock outlives a holder that died (portal.polllease)
SWEEP = 10   # seconds between unfiltered lists that find volumes deleted unseen
# statuses a volume rests in; any other is a transition the next tick must follow
STABLE = ("available", "in-use", "error", "error_deleting", "error_extending")


def _digest(vol: dict) -> str:
    seen = [vol.get("status"), vol.get("size"), vol.get("name"), vol.get("bootable"),
            sorted((a.get("server_id"), a.get("device")) for a in vol.get("attachments") or [])]
    return hashlib.sha1(json.dumps(seen, default=str).encode()).hexdigest()[:16]


def _listed(conn, since: str | None, watching: bool) -> list[dict]:
    query = {"all_tenants": 1}
    if since and not watching:
        query["updated_at"] = f"gte:{since}"
    return reads.follow(conn.block_storage, "/volumes/detail", "volumes", query,
                        microversion=MV)


def tick(conn=None) -> dict:
    redis = client()
    with polllease.leased(PREFIX + "lock", LEASE) as held:
        if not held:
            return {"polled": False, "reason": "another poll is running"}
        try:
            conn = conn or service_connection()
            if not has_block_storage(conn):
                return {"polled": False, "reason": "no block storage"}
            return poll(conn, redis)
        except (os_exc.SDKException, ks_exc.ClientException) as exc:
            log.warning("volumes poll failed: %s", exc)
            return {"polled": False, "reason": str(exc)}


def poll(conn, redis) -> dict:
    raw_since = redis.get(PREFIX + "since")
    since = raw_since.decode() if raw_since else None
    deleting = {d.decode() for d in redis.smembers(PREFIX + "deleting")}
    full = bool(deleting) or not redis.exists(PREFIX + "swept")
    volumes = _listed(conn, since, watching=full)
    known = {k.decode(): v.decode() for k, v in redis.hgetall(PREFIX + "digests").items()}
    changed, digests = [], {}
    for vol in volumes:
        digest = _digest(vol)
        if known.get(vol["id"]) != digest:
            changed.append(vol)
            digests[vol["id"]] = digest
    # an unfiltered list shows every volume there is: any other one known is gone
    gone = ((set(known) | deleting) if full else deleting) - {v["id"] for v in volumes}
    primed = redis.exists(PREFIX + "primed")
    # the attached servers' names for every changed row at once (the first tick only
    # learns what there is and publishes nothing)
    names = server_names(conn, attached_ids(changed)) if primed else {}
    for vol in changed:
        project = reads.project_of(vol)
        if project and primed:
            publish(project, fragments.changed(vol, names), kind="volume.status")
    for volume_id in gone:
        project = (redis.hget(PREFIX + "projects", volume_id) or b"").decode()
        if project:
            publish(project, fragments.removed(volume_id), kind="volume.gone")
    pipe = redis.pipeline()
    if digests:
        pipe.hset(PREFIX + "digests", mapping=digests)
        pipe.hset(PREFIX + "projects", mapping={
            v["id"]: reads.project_of(v) or "" for v in changed})
    if gone:
        pipe.hdel(PREFIX + "digests", *gone)
        pipe.hdel(PREFIX + "projects", *gone)
    pipe.delete(PREFIX + "deleting")
    still = [v["id"] for v in volumes if v.get("status") == "deleting"]
    if not full:  # a filtered list shows only the changed ones: keep the others
        still += [i for i in deleting if i not in gone]
    if still:
        pipe.sadd(PREFIX + "deleting", *still)
    newest = max([v.get("updated_at") or "" for v in volumes] + [since or ""])
    if newest:
        pipe.set(PREFIX + "since", newest)
    pipe.set(PREFIX + "primed", 1)
    if full:
        pipe.set(PREFIX + "swept", 1, ex=SWEEP)
    pipe.execute()
    return {"polled": True, "volumes": len(volumes), "changed": len(changed),
            "gone": len(gone), "transitional": bool(still) or any(
                v.get("status") not in STABLE for v in volumes)}
