"""The networks poller: one tick looks at the whole cloud's networking with the service
account and pushes the rows that changed to their projects' open pages (networks.live),
and the detail panels of the networks, routers and security groups that changed
(networks.panels).

Neutron 2026.2 refuses `changed_since` (400 "['changed_since'] is invalid attribute for
filtering", on the real Neutron and so on devcloud, though standard-attr-timestamp is
loaded), so a change is seen by its revision_number (standard-attr-revisions: every update
bumps it, and so does a change to what the object is shown with: a subnet's network is
not bumped, so subnets are listed too; a port made on a network does not bump it either,
so ports are listed for the network's detail page; a router's interface and a group's
rule bump their router and group, as the real Neutron does). A tick costs

    1 Neutron call per kind   GET /networks?fields=id&fields=revision_number&fields=project_id
                              GET /subnets?fields=…&fields=network_id
                              GET /ports?fields=…&fields=network_id
                              GET /routers?fields=…   GET /security-groups?fields=…
                              GET /floatingips?fields=…
    only when something changed, per hundred changed objects (rows and detail pages
    share the calls; "pages" is what only the detail pages need):
        networks      GET /networks?id=…  + GET /subnets?network_id=…
                      pages: + GET /ports?network_id=…  (+ Nova's servers list, once,
                      when some of those ports are a server's)
        routers       GET /routers?id=…  + their interface ports + the pools
                      pages: + GET /subnets?project_id=… (their projects')
        groups        GET /security-groups?id=…
                      pages: + GET /security-groups?project_id=…&fields=id&fields=name…
        floating IPs  GET /floatingips?id=…  + the pools (+ Nova's servers list when
                      some are on a server)
    and, on a tick where any of those changed, the admins' pools page's two calls
        pools         GET /networks?router:external=True  + GET /network-ip-availabilities

whatever the number of open pages. The id lists are whole, so a deletion is an id gone
from them: no slower full sweep is needed to catch deletions (a few bytes an object each
tick, asked with `fields` so Neutron sends nothing else). A port's device_id is not
asked: a port attached or detached bumps the port itself, and the detail page lists its
network's ports whole.
"""

import hashlib
import logging
import time

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as os_exc

from portal.actor import Actor
from portal.cloud import service_connection
from portal.events import publish, publish_to_admins
from portal.reads import collection, follow

from . import live, panels, pollstate, pool_rows, selectors

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
    # no list of its own: a port made, changed or deleted changes its network's detail
    # page (networks.panels), and making one does not bump the network
    "ports": ("/ports", "ports", ("network_id",), None),
}
# What uses a pool's addresses or makes its ranges: a change to one re-reads the pools.
POOL_KINDS = ("networks", "subnets", "routers", "floatingips")


def tick(force: bool = False, conn=None) -> dict:
    now = time.time()
    if not force and not pollstate.due(now):
        return {"polled": False, "reason": "not due"}
    with pollstate.leased() as held:
        if not held:
            return {"polled": False, "reason": "another poll is running"}
        conn = conn or service_connection()
        started = time.time()
        result = poll(conn)
        # a notification while this poll ran: its change may be newer than the lists
        if result.get("polled") and pollstate.kicked_after(started):
            result = poll(conn)
        return result


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
    touched = _rows(diffs, now, before)
    shown = panels.touched(diffs, now, before)  # the detail pages to push again
    fragments = _rendered(conn, touched, shown)
    gone = _removals(diffs, before, fragments)
    for (project_id, audience), html in fragments.items():
        if project_id:
            publish(project_id, "".join(html), kind="network.changed", audience=audience)
    if any(diffs[kind][0] or diffs[kind][1] for kind in POOL_KINDS):
        _pools(conn)
    for kind, value in now.items():
        pollstate.set_seen(kind, value)
    pollstate.polled(started)
    return {"polled": True, "changed": sum(len(v) for v in touched.values()),
            "pages": sum(len(v) for v in shown.values()), "deleted": gone,
            "seconds": round(time.time() - started, 3)}


def _rows(diffs: dict, now: dict, before: dict) -> dict[str, set]:
    """{list: ids} of the rows to push again: the changed objects', and a network's whose
    subnet was made, changed or deleted (its Subnets column)."""
    touched = {kind: set(diffs[kind][0]) for kind in ROWS}
    changed_subnets, gone_subnets = diffs["subnets"]
    touched["networks"] |= {now["subnets"][s][2] for s in changed_subnets}
    touched["networks"] |= {before["subnets"][s][2] for s in gone_subnets}
    touched["networks"] &= set(now["networks"])
    return touched


def _rendered(conn, touched: dict, shown: dict) -> dict[tuple, list[str]]:
    """(project, audience or None) → the fragments of the rows and detail panels to push,
    from one batched fetch per list (ROWS)."""
    fragments: dict[tuple, list[str]] = {}
    for name, fetch in ROWS.items():
        pages_of = shown.get(name, set())
        if not (touched[name] or pages_of):
            continue
        rows, pages = fetch(conn, touched[name], pages_of)
        for obj in rows:
            for audience, html in live.row(name, obj).items():
                fragments.setdefault((obj["project_id"], audience), []).append(html)
        for project_id, page in pages:
            for audience, html in panels.render(name, page).items():
                fragments.setdefault((project_id, audience), []).append(html)
    return fragments


def _removals(diffs: dict, before: dict, fragments: dict) -> int:
    """The rows of the objects gone, added to `fragments` (for every page of the project
    that owned them); how many."""
    gone = 0
    for kind in ROWS:
        for oid in diffs[kind][1]:
            gone += 1
            fragments.setdefault((before[kind][oid][1], None), []).append(
                live.removed(kind, oid))
    return gone


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


def _grouped(rows: list[dict], key: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


def _all_server_names(conn) -> dict:
    """Server id → name from one Nova list of every project's servers (every page)."""
    return {s["id"]: s["name"] for s in follow(conn.compute, "/servers", "servers",
                                               {"all_tenants": "1"})}


def _server_names(conn, ports: list[dict]) -> dict:
    """The servers' names, asked only when some of the ports are a server's."""
    if not any((p.get("device_owner") or "").startswith("compute:") for p in ports):
        return {}
    return _all_server_names(conn)


def _networks(conn, rows: set, shown: set) -> tuple[list, list]:
    """The changed networks' rows with their subnets, as the list page shows them, and
    the detail pages of `shown` (networks.panels: their ports too, and the ports'
    servers' names)."""
    nets, subnets, ports = [], [], []
    for chunk in _chunks(rows | shown):
        nets += collection(conn.network, "/networks", "networks", id=chunk)
        subnets += collection(conn.network, "/subnets", "subnets", network_id=chunk)
    for chunk in _chunks(shown):
        ports += collection(conn.network, "/ports", "ports", network_id=chunk)
    by_net, ports_of = _grouped(subnets, "network_id"), _grouped(ports, "network_id")
    servers = _server_names(conn, ports)
    out, pages = [], []
    for n in nets:
        own = by_net.get(n["id"], [])
        if n["id"] in rows:
            out.append({**n, "subnet_rows": sorted(own, key=lambda s: s["cidr"]),
                        "external": n.get("router:external", False)})
        if n["id"] in shown:
            pages.append((n["project_id"], selectors.network_shown(
                dict(n), list(own), ports_of.get(n["id"], []), servers, n["project_id"])))
    return out, pages


def _routers(conn, rows: set, shown: set) -> tuple[list, list]:
    """The changed routers' rows and the detail pages of `shown`: their interface ports,
    and (pages only) their projects' subnets, which name the attached ones and make the
    add-interface form's choices."""
    routers, ports, subnets = [], [], []
    for chunk in _chunks(rows | shown):
        routers += collection(conn.network, "/routers", "routers", id=chunk)
        ports += collection(conn.network, "/ports", "ports", device_id=chunk,
                            device_owner="network:router_interface")
    for chunk in _chunks({r["project_id"] for r in routers if r["id"] in shown}):
        subnets += collection(conn.network, "/subnets", "subnets", project_id=chunk)
    ports_of, subnets_of = _grouped(ports, "device_id"), _grouped(subnets, "project_id")
    pages = [(r["project_id"], selectors.router_shown(
        dict(r), ports_of.get(r["id"], []), subnets_of.get(r["project_id"], [])))
        for r in routers if r["id"] in shown]
    out = [r for r in routers if r["id"] in rows]
    if out:
        pools = collection(conn.network, "/networks", "networks",
                           **{"router:external": "True"})
        out = selectors.router_rows(None, out, ports, pools)
    return out, pages


def _groups(conn, rows: set, shown: set) -> tuple[list, list]:
    """The changed groups' rows and detail pages (the same groups: a rule added or
    removed bumps its group), their rules' remote groups named from one list of their
    projects' groups."""
    groups, names = [], []
    for chunk in _chunks(rows | shown):
        groups += collection(conn.network, "/security-groups", "security_groups", id=chunk)
    for chunk in _chunks({g["project_id"] for g in groups if g["id"] in shown}):
        names += collection(conn.network, "/security-groups", "security_groups",
                            project_id=chunk, fields=["id", "name", "project_id"])
    names_of = _grouped(names, "project_id")
    pages = [(g["project_id"], selectors.security_group_shown(
        {**g, "security_group_rules": [dict(r) for r in g["security_group_rules"]]},
        names_of.get(g["project_id"], []))) for g in groups if g["id"] in shown]
    return [g for g in groups if g["id"] in rows], pages


def _floating_ips(conn, rows: set, shown: set) -> tuple[list, list]:
    """The changed floating IPs as the list shows them: their pools' and servers' names
    (one Nova list of the servers they are on, only when some are on a server). No
    detail page of theirs is live."""
    fips = []
    for chunk in _chunks(rows):
        fips += collection(conn.network, "/floatingips", "floatingips", id=chunk)
    pools = collection(conn.network, "/networks", "networks", **{"router:external": "True"})
    devices = {(f.get("port_details") or {}).get("device_id") for f in fips} - {None, ""}
    servers = {}
    if devices:
        servers = _all_server_names(conn)
    return selectors._fip_rows(fips, servers, {p["id"]: p["name"] for p in pools}), []


# list → fetch(conn, ids whose rows changed, ids whose detail pages changed): (rows, pages)
ROWS = {"networks": _networks, "routers": _routers, "security_groups": _groups,
        "floatingips": _floating_ips}
