"""The networks poller: one tick looks at the whole cloud's networking with the service
account and pushes the rows that changed to their projects' open pages (networks.live).

Neutron 2026.2 refuses `changed_since` (400 "['changed_since'] is invalid attribute for
filtering", on the real Neutron and so on devcloud, though standard-attr-timestamp is
loaded), so a change is seen by its revision_number (standard-attr-revisions: every update
bumps it, and so does a change to what the object is shown with: a subnet's network is
not bumped, so subnets are listed too; a router's interface and a group's rule bump their
router and group, as the real Neutron does). A tick costs

    1 Neutron call per kind   GET /networks?fields=id&fields=revision_number&fields=project_id
                              GET /subnets?fields=…&fields=network_id
                              GET /routers?fields=…   GET /security-groups?fields=…
                              GET /floatingips?fields=…
    only when something changed, per hundred changed objects:
        networks      GET /networks?id=…  + GET /subnets?network_id=…
        routers       GET /routers?id=…  + their interface ports + the pools
        groups        GET /security-groups?id=…
        floating IPs  GET /floatingips?id=…  + the pools (+ Nova's servers list when
                      some are on a server)
    and, on a tick where any of those changed, the admins' pools page's two calls
        pools         GET /networks?router:external=True  + GET /network-ip-availabilities

whatever the number of open pages. The id lists are whole, so a deletion is an id gone
from them: no slower full sweep is needed to catch deletions (a few bytes an object each
tick, asked with `fields` so Neutron sends nothing else).
"""

import hashlib
import logging
import time

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as os_exc

from portal.actor import Actor
from portal.cloud import service_connection
from portal.events import publish, publish_to_admins
from portal.reads import collection

from . import live, pollstate, pool_rows, selectors

log = logging.getLogger(__name__)
IDS_PER_QUERY = 100  # id filters per call (keeps the URL under 8 KB)
UNREACHABLE = (os_exc.SDKException, ks_exc.ClientException)
# kind → (path, JSON key, extra fields the diff keeps, the live list its rows are in)
KINDS = {
    "networks": ("/networks", "networks", (), "networks"),
    "subnets": ("/subnets", "subnets", ("network_id",), "networks"),
    "routers": ("/routers", "routers", (), "routers"),
    "security_groups": ("/security-groups", "security_groups", (), "security_groups"),
    "floatingips": ("/floatingips", "floatingips", (), "floatingips"),
}
# What uses a pool's addresses or makes its ranges: a change to one re-reads the pools.
POOL_KINDS = ("networks", "subnets", "routers", "floatingips")


def tick(force: bool = False, conn=None) -> dict:
    now = time.time()
    if not force and not pollstate.due(now):
        return {"polled": False, "reason": "not due"}
    lock = pollstate.lock()
    if not lock.acquire():
        return {"polled": False, "reason": "another poll is running"}
    try:
        conn = conn or service_connection()
        started = time.time()
        result = poll(conn)
        # a notification while this poll ran: its change may be newer than the lists
        if result.get("polled") and pollstate.kicked_after(started):
            result = poll(conn)
        return result
    finally:
        try:
            lock.release()
        except Exception:  # the lease lapsed: nothing to release
            log.warning("networks poll lease lapsed before the poll ended")


def _snapshot(conn, kind: str) -> dict:
    path, key, extra, _ = KINDS[kind]
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
    diffs = {kind: _diff(before[kind], now[kind]) for kind in KINDS}
    # The rows to push again per list, and the rows gone (list, id, project).
    touched = {kind: set(diffs[kind][0]) for kind in ROWS}
    # A subnet made, changed or deleted changes its network's row (the Subnets column).
    changed_subnets, gone_subnets = diffs["subnets"]
    touched["networks"] |= {now["subnets"][s][2] for s in changed_subnets}
    touched["networks"] |= {before["subnets"][s][2] for s in gone_subnets}
    touched["networks"] &= set(now["networks"])
    fragments: dict[tuple, list[str]] = {}  # (project, audience or None) → fragments
    for name, ids in touched.items():
        if ids:
            for obj in ROWS[name](conn, ids):
                for audience, html in live.row(name, obj).items():
                    fragments.setdefault((obj["project_id"], audience), []).append(html)
    gone = 0
    for kind in ROWS:
        for oid in diffs[kind][1]:
            gone += 1
            fragments.setdefault((before[kind][oid][1], None), []).append(
                live.removed(kind, oid))
    for (project_id, audience), html in fragments.items():
        if project_id:
            publish(project_id, "".join(html), kind="network.changed", audience=audience)
    if any(diffs[kind][0] or diffs[kind][1] for kind in POOL_KINDS):
        _pools(conn)
    for kind, value in now.items():
        pollstate.set_seen(kind, value)
    pollstate.polled(started)
    return {"polled": True, "changed": sum(len(v) for v in touched.values()),
            "deleted": gone, "seconds": round(time.time() - started, 3)}


def _pools(conn) -> None:
    """The pools' rows whose usage, name or segment changed, and those gone, to the
    admins' pools page (networks.pool_rows): the page's own two calls (the external
    networks, their IP availabilities), made only on a tick where networks, subnets,
    routers (their gateways) or floating IPs changed."""
    pools = selectors.pools_page(Actor.service(conn=conn))["pools"]
    rendered = {p["id"]: pool_rows.render(p) for p in pools}
    now = {i: hashlib.sha1(html.encode()).hexdigest()[:16] for i, html in rendered.items()}
    before = pollstate.seen("pools") or {}
    html = [rendered[i] for i, digest in now.items() if before.get(i) != digest]
    html += [pool_rows.removed(i) for i in before if i not in now]
    if html:
        publish_to_admins("".join(html), kind="pool.changed")
    pollstate.set_seen("pools", now)


def _networks(conn, ids: set) -> list[dict]:
    """The changed networks with their subnets, as the list page shows them."""
    out = []
    for chunk in _chunks(ids):
        nets = collection(conn.network, "/networks", "networks", id=chunk)
        subnets = collection(conn.network, "/subnets", "subnets", network_id=chunk)
        by_net: dict[str, list] = {}
        for s in subnets:
            by_net.setdefault(s["network_id"], []).append(s)
        for n in nets:
            n["subnet_rows"] = sorted(by_net.get(n["id"], []), key=lambda s: s["cidr"])
            n["external"] = n.get("router:external", False)
            out.append(n)
    return out


def _routers(conn, ids: set) -> list[dict]:
    out = []
    pools = None
    for chunk in _chunks(ids):
        routers = collection(conn.network, "/routers", "routers", id=chunk)
        ports = collection(conn.network, "/ports", "ports", device_id=chunk,
                           device_owner="network:router_interface")
        if pools is None:
            pools = collection(conn.network, "/networks", "networks",
                               **{"router:external": "True"})
        out += selectors.router_rows(None, routers, ports, pools)
    return out


def _groups(conn, ids: set) -> list[dict]:
    out = []
    for chunk in _chunks(ids):
        out += collection(conn.network, "/security-groups", "security_groups", id=chunk)
    return out


def _floating_ips(conn, ids: set) -> list[dict]:
    """The changed floating IPs as the list shows them: their pools' and servers' names
    (one Nova list of the servers they are on, only when some are on a server)."""
    fips = []
    for chunk in _chunks(ids):
        fips += collection(conn.network, "/floatingips", "floatingips", id=chunk)
    pools = collection(conn.network, "/networks", "networks", **{"router:external": "True"})
    devices = {(f.get("port_details") or {}).get("device_id") for f in fips} - {None, ""}
    servers = {}
    if devices:
        servers = {s["id"]: s["name"] for s in collection(
            conn.compute, "/servers", "servers", all_tenants="1")}
    return selectors._fip_rows(fips, servers, {p["id"]: p["name"] for p in pools})


ROWS = {"networks": _networks, "routers": _routers, "security_groups": _groups,
        "floatingips": _floating_ips}
