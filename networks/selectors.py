"""What each networks page shows, and the cloud calls it costs (concurrent, via gather).

    networks list        networks (one page) + subnets of those networks     2 calls
                         (+ the pools, for an admin in their own scope)      3
    network detail       network + subnets + ports + the ports' servers      4
    router detail        router + its interface ports + the project's subnets 3
    security group       group (rules embedded) + the project's groups       2
    quick network form   pools + the project's subnets (a free CIDR)         2
    routers list         routers + router interface ports + subnets          3
    floating IPs list    floating IPs (one page) + pools + servers           3
    security groups      groups (rules embedded)                             1
    pools (admin)        external networks + IP availabilities              2
    all floating IPs     floating IPs (one page) + servers + projects        3

The three detail pages' panels are pushed again by the poller (networks/panels.py), shaped
by the same functions (network_shown, router_shown, security_group_shown) from its own
batched calls.

Every selector takes the Actor the page is for (its connection, project and roles).
Scope: the actor's project. An admin can widen a list to every project (?all=1); even
then object pages only open objects of the current project (lookups.owned).
"""

from django.http import Http404

from portal.cloud import gather
from portal.reads import collection, page

from . import addressing, pool_rows
from . import live as networks_live
from .lookups import external, owned


def scope(actor, widen: bool = False) -> str | None:
    """The project a list is filtered to, None for an admin who widened it."""
    if widen and actor.perms.is_admin:
        return None
    return actor.project_id


def _index(rows, key="id") -> dict:
    return {r[key]: r for r in rows}


# --- networks -----------------------------------------------------------------------

def _network_rows(actor, project_id, marker):
    """Tenants: Neutron's own policy returns their networks plus shared and external ones.
    Admins (whose token sees everything): their project's (or all), pools added on page 1."""
    conn = actor.conn
    if not actor.perms.is_admin:
        return page(conn.network, "/networks", "networks", marker)
    return page(conn.network, "/networks", "networks", marker, project_id=project_id)


def networks_page(actor, widen=False, marker=None) -> dict:
    conn = actor.conn
    project_id = scope(actor, widen)
    calls = {"main": lambda: _network_rows(actor, project_id, marker)}
    if actor.perms.is_admin and project_id and not marker:
        calls["pools"] = lambda: collection(conn.network, "/networks", "networks",
                                            **{"router:external": "True"})
    got = gather(**calls)
    networks, next_marker = got["main"]
    seen = {n["id"] for n in networks}
    networks += [p for p in got.get("pools", []) if p["id"] not in seen]
    subnets = collection(conn.network, "/subnets", "subnets",
                         network_id=[n["id"] for n in networks]) if networks else []
    by_net: dict[str, list] = {}
    for s in subnets:
        by_net.setdefault(s["network_id"], []).append(s)
    for n in networks:
        n["subnet_rows"] = sorted(by_net.get(n["id"], []), key=lambda s: s["cidr"])
        n["own"] = n["project_id"] == actor.project_id
        n["external"] = n.get("router:external", False)  # templates cannot read "a:b"
    # An admin's widened list is not live (networks.live says why).
    networks_live.mark("networks", networks, project_id is None)
    return {"networks": networks, "next_marker": next_marker, "widened": project_id is None,
            "live_list": networks_live.list_attrs("networks", project_id is None, marker,
                                                  bool(next_marker))}


def network_detail(actor, network_id: str) -> dict:
    conn = actor.conn
    got = gather(net=lambda: owned(actor, "network", network_id),
                 subnets=lambda: collection(conn.network, "/subnets", "subnets",
                                            network_id=network_id),
                 ports=lambda: collection(conn.network, "/ports", "ports",
                                          network_id=network_id),
                 # One servers call names every server's port (never one per port).
                 servers=lambda: _servers(conn, all_projects=False))
    return network_shown(got["net"], got["subnets"], got["ports"], got["servers"],
                         actor.project_id)


def network_shown(net: dict, subnets: list, ports: list, servers: dict,
                  project_id: str) -> dict:
    """A network's detail page (networks/_network_panels.html) from the network, its
    subnets and ports and a server id → name map: the page and the poller both shape it
    here. A compute port names its server when the port is the page's project's: Nova
    makes a server's ports in the server's project, so the poller's every-project servers
    list names what the project's own list would (and nothing more)."""
    net["external"] = net.get("router:external", False)
    for p in ports:
        owner = p.get("device_owner") or ""
        mine = owner.startswith("compute:") and p.get("project_id") == project_id
        p["server_name"] = servers.get(p["device_id"]) if mine else None
        p["router_port"] = owner in ("network:router_interface",
                                     "network:router_interface_distributed")
    # Neutron's order is not defined: the order they were made in, on every render
    ports = sorted(ports, key=lambda p: (p.get("created_at") or "", p["id"]))
    return {"network": net, "subnets": sorted(subnets, key=lambda s: s["cidr"]),
            "ports": ports}


def network_subnets(actor, network_id: str, exclude: str | None = None) -> list[tuple]:
    """(name, cidr) of a network's subnets: what a new subnet must not overlap."""
    return [(s["name"], s["cidr"]) for s in
            collection(actor.conn.network, "/subnets", "subnets", network_id=network_id)
            if s["id"] != exclude]


def segment(net: dict) -> dict:
    """The provider attributes under names a template can read (Neutron's keys have a
    colon: provider:network_type, provider:physical_network, provider:segmentation_id;
    they are absent for a token that may not see them)."""
    net["network_type"] = net.get("provider:network_type") or ""
    net["physical_network"] = net.get("provider:physical_network") or ""
    net["segmentation_id"] = net.get("provider:segmentation_id")
    return net


def pools(actor) -> list[dict]:
    """Floating IP pools: the external networks this actor may see."""
    rows = collection(actor.conn.network, "/networks", "networks", **{"router:external": "True"})
    return sorted((segment(n) for n in rows), key=lambda n: n["name"])


def quick_form(actor, propose: bool = True) -> dict:
    """The quick path's form: the pools, and (to show the form) a CIDR that overlaps
    none of the project's subnets, from one subnets call made alongside the pools."""
    if not propose:
        return {"pools": pools(actor)}
    conn = actor.conn
    got = gather(pools=lambda: pools(actor),
                 subnets=lambda: collection(conn.network, "/subnets", "subnets",
                                            project_id=actor.project_id, fields="cidr"))
    proposal = addressing.free_cidr(s["cidr"] for s in got["subnets"])
    return {"pools": got["pools"], "proposed_cidr": str(proposal) if proposal else ""}


# --- routers ------------------------------------------------------------------------

def routers_page(actor, widen=False) -> dict:
    conn = actor.conn
    project_id = scope(actor, widen)
    got = gather(
        routers=lambda: collection(conn.network, "/routers", "routers", project_id=project_id),
        ports=lambda: collection(conn.network, "/ports", "ports", project_id=project_id,
                                 device_owner="network:router_interface"),
        pools=lambda: pools(actor))
    routers = router_rows(actor.project_id, got["routers"], got["ports"], got["pools"])
    networks_live.mark("routers", routers, project_id is None)
    return {"routers": sorted(routers, key=lambda r: (r["name"], r["id"])),
            "widened": project_id is None,
            "live_list": networks_live.list_attrs("routers", project_id is None)}


def router_rows(project_id, routers, ports, pools) -> list[dict]:
    """Routers as the list shows them, from their interface ports and the pools (the
    page and the poller both build them here)."""
    pool_names = {p["id"]: p["name"] for p in pools}
    ifaces: dict[str, list] = {}
    for p in ports:
        ifaces.setdefault(p["device_id"], []).append(p)
    for r in routers:
        gw = r.get("external_gateway_info") or {}
        r["pool_name"] = pool_names.get(gw.get("network_id"), gw.get("network_id"))
        r["gateway_ips"] = [f["ip_address"] for f in gw.get("external_fixed_ips") or []]
        r["interfaces"] = [ip["ip_address"] for p in ifaces.get(r["id"], [])
                           for ip in p["fixed_ips"]]
        r["own"] = r["project_id"] == project_id
    return routers


def router_detail(actor, router_id: str) -> dict:
    conn, project_id = actor.conn, actor.project_id
    got = gather(
        router=lambda: owned(actor, "router", router_id),
        ports=lambda: collection(conn.network, "/ports", "ports", device_id=router_id,
                                 device_owner="network:router_interface"),
        subnets=lambda: collection(conn.network, "/subnets", "subnets",
                                   project_id=project_id))
    return router_shown(got["router"], got["ports"], got["subnets"])


def router_shown(router: dict, ports: list, subnets: list) -> dict:
    """A router's detail page (networks/_router_panels.html) from the router, its
    interface ports and its project's subnets (which name the attached ones and offer the
    free ones): the page and the poller both shape it here."""
    by_id = _index(subnets)
    attached = []
    for p in sorted(ports, key=lambda p: (p.get("created_at") or "", p["id"])):
        for ip in p["fixed_ips"]:
            s = by_id.get(ip["subnet_id"], {"name": "", "cidr": "", "id": ip["subnet_id"]})
            attached.append({"port_id": p["id"], "ip": ip["ip_address"], "subnet": s})
    attached_ids = {a["subnet"]["id"] for a in attached}
    free = [{"id": s["id"], "label": f"{s['name'] or s['id'][:8]} ({s['cidr']})"}
            for s in subnets if s["id"] not in attached_ids and s.get("gateway_ip")]
    return {"router": router, "attached": attached, "free_subnets": free}


# --- floating IPs -------------------------------------------------------------------

def _servers(conn, all_projects: bool) -> dict:
    """Server id → name (Nova's short list: id and name only)."""
    rows = collection(conn.compute, "/servers", "servers",
                      all_tenants="1" if all_projects else None)
    return {s["id"]: s["name"] for s in rows}


def _fip_rows(fips, servers, pool_names):
    for f in fips:
        details = f.get("port_details") or {}
        f["server_id"] = details.get("device_id") if details.get(
            "device_owner", "").startswith("compute:") else None
        f["server_name"] = servers.get(f["server_id"]) if f["server_id"] else None
        f["pool_name"] = pool_names.get(f["floating_network_id"], f["floating_network_id"])
    return fips


def floatingips_page(actor, widen=False, marker=None) -> dict:
    conn = actor.conn
    project_id = scope(actor, widen)
    got = gather(fips=lambda: page(conn.network, "/floatingips", "floatingips", marker,
                                   sort="floating_ip_address", project_id=project_id),
                 pools=lambda: pools(actor),
                 servers=lambda: _servers(conn, all_projects=project_id is None))
    fips, next_marker = got["fips"]
    pool_names = {p["id"]: p["name"] for p in got["pools"]}
    fips = _fip_rows(fips, got["servers"], pool_names)
    networks_live.mark("floatingips", fips, project_id is None)
    return {"fips": fips, "next_marker": next_marker,
            "pools": got["pools"], "widened": project_id is None,
            "live_list": networks_live.list_attrs("floatingips", project_id is None, marker,
                                                  bool(next_marker))}


def associate_choices(actor, fip_id: str, server_id: str | None) -> dict:
    """The floating IP, the project's servers, and (once a server is picked) the
    port/fixed-IP pairs it could be attached to."""
    conn, project_id = actor.conn, actor.project_id
    calls = {"fip": lambda: owned(actor, "floatingip", fip_id),
             "servers": lambda: collection(conn.compute, "/servers", "servers"),
             "pools": lambda: pools(actor)}
    if server_id:
        calls["ports"] = lambda: collection(conn.network, "/ports", "ports",
                                            device_id=server_id, project_id=project_id)
    got = gather(**calls)
    targets = [{"value": f"{p['id']}|{ip['ip_address']}", "port_id": p["id"],
                "fixed_ip": ip["ip_address"],
                "label": f"{ip['ip_address']} (port {p['name'] or p['id'][:8]})"}
               for p in got.get("ports", []) for ip in p["fixed_ips"]
               if ":" not in ip["ip_address"]]  # floating IPs are IPv4: IPv4 fixed IPs only
    pool_names = {p["id"]: p["name"] for p in got["pools"]}
    got["fip"]["pool_name"] = pool_names.get(got["fip"]["floating_network_id"], "")
    return {"fip": got["fip"], "targets": targets,
            "servers": sorted(got["servers"], key=lambda s: s["name"])}


# --- security groups ----------------------------------------------------------------

def security_groups_page(actor, widen=False) -> dict:
    project_id = scope(actor, widen)
    groups = collection(actor.conn.network, "/security-groups", "security_groups",
                        project_id=project_id)
    for g in groups:
        g["own"] = g["project_id"] == actor.project_id
    networks_live.mark("security_groups", groups, project_id is None)
    return {"groups": sorted(groups, key=lambda g: (g["name"], g["id"])),
            "widened": project_id is None,
            "live_list": networks_live.list_attrs("security_groups", project_id is None)}


def security_group_detail(actor, group_id: str) -> dict:
    conn, project_id = actor.conn, actor.project_id
    got = gather(group=lambda: owned(actor, "security_group", group_id),
                 groups=lambda: collection(conn.network, "/security-groups",
                                           "security_groups", project_id=project_id,
                                           fields=["id", "name"]))
    return security_group_shown(got["group"], got["groups"])


def security_group_shown(group: dict, groups: list) -> dict:
    """A group's detail page (networks/_sg_panels.html) from the group (its rules
    embedded) and its project's groups (id, name: a rule's remote group is named from
    them): the page and the poller both shape it here."""
    names = {g["id"]: g["name"] for g in groups}
    rules = group["security_group_rules"]
    for r in rules:
        r["remote_group_name"] = names.get(r.get("remote_group_id"), r.get("remote_group_id"))
    rules.sort(key=lambda r: (r["direction"], r["ethertype"], r.get("protocol") or "",
                              r.get("port_range_min") or 0, r["id"]))
    return {"group": group, "rules": rules, "groups": groups}


# --- admin: pools ---------------------------------------------------------------------

def _usage(avail: dict | None) -> dict:
    total = (avail or {}).get("total_ips") or 0
    used = (avail or {}).get("used_ips") or 0
    return {"total": total, "used": used, "free": max(0, total - used),
            "pct": round(100 * used / total) if total else 0}


def pools_page(actor) -> dict:
    conn = actor.conn
    got = gather(pools=lambda: pools(actor),
                 # Neutron cannot filter availabilities by router:external: take all
                 # (an admin-only call) and keep the pools'.
                 avail=lambda: collection(conn.network, "/network-ip-availabilities",
                                          "network_ip_availabilities"))
    avail = _index(got["avail"], "network_id")
    for p in got["pools"]:
        p["usage"] = _usage(avail.get(p["id"]))
    pool_rows.mark(got["pools"])
    return {"pools": got["pools"], "live_list": pool_rows.list_attrs()}


def pool_detail(actor, pool_id: str) -> dict:
    conn = actor.conn
    got = gather(pool=lambda: external(actor, pool_id),
                 subnets=lambda: collection(conn.network, "/subnets", "subnets",
                                            network_id=pool_id),
                 avail=lambda: collection(conn.network, "/network-ip-availabilities",
                                          "network_ip_availabilities", network_id=pool_id))
    per_subnet = {s["subnet_id"]: s for a in got["avail"]
                  for s in a.get("subnet_ip_availability", [])}
    for s in got["subnets"]:
        s["usage"] = _usage(per_subnet.get(s["id"]))
    return {"pool": segment(got["pool"]),
            "subnets": sorted(got["subnets"], key=lambda s: s["cidr"]),
            "usage": _usage(got["avail"][0] if got["avail"] else None)}


def pool_fip_count(actor, pool_id: str) -> int:
    return len(collection(actor.conn.network, "/floatingips", "floatingips",
                          floating_network_id=pool_id, fields="id"))


def all_floatingips_page(actor, marker=None) -> dict:
    conn = actor.conn
    got = gather(fips=lambda: page(conn.network, "/floatingips", "floatingips", marker,
                                   sort="floating_ip_address"),
                 servers=lambda: _servers(conn, all_projects=True),
                 projects=lambda: collection(conn.identity, "/projects", "projects"))
    fips, next_marker = got["fips"]
    projects = {p["id"]: p["name"] for p in got["projects"]}
    for f in _fip_rows(fips, got["servers"], {}):
        f["project_name"] = projects.get(f["project_id"], f["project_id"])
    return {"fips": fips, "next_marker": next_marker}


def quota_page(actor, project_id: str | None) -> dict:
    conn = actor.conn
    calls = {"projects": lambda: collection(conn.identity, "/projects", "projects")}
    if project_id:
        calls["quota"] = lambda: conn.network.get_quota(project_id, details=True).floating_ips
    got = gather(**calls)
    projects = sorted(got["projects"], key=lambda p: p["name"])
    if project_id and project_id not in {p["id"] for p in projects}:
        raise Http404("No such project.")
    return {"projects": projects, "quota": got.get("quota")}
