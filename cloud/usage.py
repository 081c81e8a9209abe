"""Usage across projects, against quota (the admin's table): servers, vCPUs, RAM, floating
IPs, and volumes and GB where the catalog has Cinder.

What it costs, in two concurrent rounds (the second needs the first's project ids):
    1  Keystone  the projects
    1  Nova      every server (all_tenants, flavor embedded from 2.47; one call per 1000)
    1  Neutron   every floating IP (id and project only)
    1  Neutron   the projects' floating IP quotas (GET /quotas lists those not at the
                 default) and 1 for the default
    N  Nova      one quota set per project: Nova has no call for every project's quotas
    1 + N        Cinder: every volume, and each project's quota set (when it exists)
"""

from collections import Counter

from portal import reads
from portal.cloud import gather

from .selectors import has_cinder, servers_url

SERVERS_MV = "2.47"   # the server's flavor (vcpus, ram) embedded in the list
SORTS = ("name", "servers", "vcpus", "ram", "floating_ips", "volumes", "gigabytes")


def _servers(conn) -> list[dict]:
    return reads.follow(conn.compute, "/servers/detail", "servers",
                        {"all_tenants": 1}, microversion=SERVERS_MV)


def _fips(conn) -> list[dict]:
    return reads.collection(conn.network, "/floatingips", "floatingips",
                            fields=["id", "project_id"])


def _fip_quotas(conn, any_project: str) -> tuple[dict, int]:
    """Neutron lists the projects whose quotas differ from the default, and the default."""
    listed = reads.collection(conn.network, "/quotas", "quotas")
    default = reads.get(conn.network, f"/quotas/{any_project}/default")["quota"]
    return {q["project_id"]: q["floatingip"] for q in listed}, default["floatingip"]


def _nova_quota(conn, project_id: str):
    return lambda: reads.get(conn.compute, f"/os-quota-sets/{project_id}")["quota_set"]


def _volumes(conn) -> list[dict]:
    return reads.follow(conn.block_storage, "/volumes/detail", "volumes",
                        {"all_tenants": 1})


def _cinder_quota(conn, project_id: str):
    return lambda: reads.get(conn.block_storage, f"/os-quota-sets/{project_id}")["quota_set"]


def _cell(used: int, limit) -> dict:
    unlimited = limit is None or limit < 0
    pct = 0 if unlimited or not limit else min(100, round(100 * used / limit))
    return {"used": used, "limit": "∞" if unlimited else limit, "pct": pct,
            "full": not unlimited and used >= limit}


def _servers_link(project_id: str) -> str | None:
    base = servers_url()
    return f"{base}?project={project_id}" if base else None


def projects_page(actor, sort: str = "name", direction: str = "asc") -> dict:
    conn = actor.conn
    cinder = has_cinder(conn)
    # Two rounds: everything that needs no project id at once, then each project's quotas.
    first = {"projects": lambda: reads.collection(conn.identity, "/projects", "projects"),
             "servers": lambda: _servers(conn), "fips": lambda: _fips(conn),
             "fip_quotas": lambda: _fip_quotas(conn, actor.project_id)}
    if cinder:
        first["volumes"] = lambda: _volumes(conn)
    found = gather(**first)
    projects = found["projects"]
    quotas = {f"nova {p['id']}": _nova_quota(conn, p["id"]) for p in projects}
    if cinder:
        quotas.update({f"cinder {p['id']}": _cinder_quota(conn, p["id"]) for p in projects})
    found.update(gather(**quotas))

    servers, vcpus, ram = Counter(), Counter(), Counter()
    for s in found["servers"]:
        owner = s["tenant_id"]
        servers[owner] += 1
        vcpus[owner] += s["flavor"].get("vcpus", 0)
        ram[owner] += s["flavor"].get("ram", 0)
    fips = Counter(f["project_id"] for f in found["fips"])
    fip_quotas, fip_default = found["fip_quotas"]
    volumes, gigabytes = Counter(), Counter()
    for v in found.get("volumes", []):
        owner = v.get("os-vol-tenant-attr:tenant_id")
        volumes[owner] += 1
        gigabytes[owner] += v.get("size", 0)

    rows = []
    for p in projects:
        pid, nova = p["id"], found[f"nova {p['id']}"]
        row = {"id": pid, "name": p["name"], "servers_url": _servers_link(pid),
               "servers": _cell(servers[pid], nova["instances"]),
               "vcpus": _cell(vcpus[pid], nova["cores"]),
               "ram": _cell(ram[pid], nova["ram"]),
               "floating_ips": _cell(fips[pid], fip_quotas.get(pid, fip_default))}
        if cinder:
            quota = found[f"cinder {pid}"]
            row["volumes"] = _cell(volumes[pid], quota["volumes"])
            row["gigabytes"] = _cell(gigabytes[pid], quota["gigabytes"])
        rows.append(row)
    sort = sort if sort in SORTS and (cinder or sort not in ("volumes", "gigabytes")) else "name"
    reverse_order = direction == "desc"
    if sort == "name":
        rows.sort(key=lambda r: r["name"].lower(), reverse=reverse_order)
    else:
        rows.sort(key=lambda r: (r[sort]["used"], r["name"].lower()), reverse=reverse_order)
    return {"rows": rows, "has_cinder": cinder, "sort": sort,
            "direction": "desc" if reverse_order else "asc",
            "columns": [c for c in SORTS if cinder or c not in ("volumes", "gigabytes")]}
