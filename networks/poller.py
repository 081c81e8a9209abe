"""The networks poller: one tick looks at the whole cloud's networking with the service
account and pushes the rows that changed to their projects' open pages.

Neutron 2026.2 refuses `changed_since` (400 "['changed_since'] is invalid attribute for
filtering", on the real Neutron and so on devcloud), so a change is seen by its
revision_number (standard-attr-revisions: every update bumps it). A tick costs

    1 Neutron call per kind   GET /networks?fields=id&fields=revision_number&fields=project_id
                              GET /subnets?fields=…&fields=network_id
    1 more per kind, only when something changed   GET /networks?id=a&id=b…
                                                   GET /subnets?network_id=a&network_id=b…

whatever the number of open pages. The id lists are whole, so a deletion is an id gone
from them: no slower full sweep is needed to catch deletions (the cost is a few bytes an
object each tick, asked with `fields` so Neutron sends nothing else).
"""

import logging
import time

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as os_exc

from portal.cloud import service_connection
from portal.events import publish
from portal.reads import collection

from . import live, pollstate

log = logging.getLogger(__name__)
IDS_PER_QUERY = 100  # id filters per call (keeps the URL under 8 KB)
UNREACHABLE = (os_exc.SDKException, ks_exc.ClientException)
KINDS = {  # kind → (path, JSON key, extra fields the diff keeps)
    "networks": ("/networks", "networks", ()),
    "subnets": ("/subnets", "subnets", ("network_id",)),
}


def tick(force: bool = False, conn=None) -> dict:
    now = time.time()
    if not force and not pollstate.due(now):
        return {"polled": False, "reason": "not due"}
    lock = pollstate.lock()
    if not lock.acquire():
        return {"polled": False, "reason": "another poll is running"}
    try:
        return poll(conn or service_connection())
    finally:
        try:
            lock.release()
        except Exception:  # the lease lapsed: nothing to release
            log.warning("networks poll lease lapsed before the poll ended")


def _snapshot(conn, kind: str) -> dict:
    path, key, extra = KINDS[kind]
    fields = ["id", "revision_number", "project_id", *extra]
    return {o["id"]: [o.get("revision_number"), o.get("project_id") or "",
                      *(o.get(f) or "" for f in extra)]
            for o in collection(conn.network, path, key, fields=fields)}


def _diff(before: dict | None, now: dict) -> tuple[set, set]:
    """(changed or new ids, deleted ids); nothing on the first poll (no baseline yet)."""
    if before is None:
        return set(), set()
    changed = {i for i, v in now.items() if before.get(i, [None])[0] != v[0]}
    return changed, set(before) - set(now)


def _chunks(ids):
    ids = sorted(ids)
    for i in range(0, len(ids), IDS_PER_QUERY):
        yield ids[i:i + IDS_PER_QUERY]


def poll(conn) -> dict:
    started = time.time()
    try:
        now = {kind: _snapshot(conn, kind) for kind in KINDS}
    except UNREACHABLE as exc:
        log.warning("networks poll failed: %s", exc)
        pollstate.polled(started)
        return {"polled": False, "reason": f"cloud did not answer: {exc}"}
    before = {kind: pollstate.seen(kind) for kind in KINDS}
    nets_changed, nets_gone = _diff(before["networks"], now["networks"])
    subs_changed, subs_gone = _diff(before["subnets"], now["subnets"])
    # A subnet made, changed or deleted changes its network's row (the Subnets column).
    touched = set(nets_changed)
    for sid in subs_changed:
        touched.add(now["subnets"][sid][2])
    for sid in subs_gone:
        touched.add(before["subnets"][sid][2])
    touched = {n for n in touched if n in now["networks"]}
    fragments: dict[str, list[str]] = {}
    for net in _networks(conn, touched):
        fragments.setdefault(net["project_id"], []).append(live.row(net))
    for nid in nets_gone:
        fragments.setdefault(before["networks"][nid][1], []).append(live.removed(nid))
    for project_id, html in fragments.items():
        if project_id:
            publish(project_id, "".join(html), kind="network.changed")
    for kind, value in now.items():
        pollstate.set_seen(kind, value)
    pollstate.polled(started)
    return {"polled": True, "changed": len(touched), "deleted": len(nets_gone),
            "seconds": round(time.time() - started, 3)}


def _networks(conn, ids: set) -> list[dict]:
    """The changed networks with their subnets (as the list page shows them): one call
    for the networks and one for their subnets per hundred."""
    out = []
    for chunk in _chunks(ids):
        nets = collection(conn.network, "/networks", "networks", id=chunk)
        subnets = collection(conn.network, "/subnets", "subnets", network_id=chunk)
        by_net: dict[str, list] = {}
        for s in subnets:
            by_net.setdefault(s["network_id"], []).append(s)
        for n in nets:
            n["subnet_rows"] = sorted(by_net.get(n["id"], []), key=lambda s: s["cidr"])
            out.append(n)
    return out
