"""Version documents, extensions, agents, network IP availability and quotas."""

import ipaddress
import json
from pathlib import Path

from aiohttp import web

from .. import fleet
from ..routes import add_root, public
from . import listing
from .core import QUOTA_DEFAULTS, QUOTA_STORE
from .ipam import pool_size
from .util import bad_request, not_found, policy, stamp

EXTENSIONS = json.loads((Path(__file__).with_name("extensions.json")).read_text())


def _base(request) -> str:
    return request.app["neutron"].cloud.endpoint("network")


@public
async def versions(request):
    return web.json_response({"versions": [{"id": "v2.0", "status": "CURRENT", "links": [
        {"rel": "self", "href": f"{_base(request)}/v2.0/"}]}]})


async def v2_root(request):
    base = _base(request)
    resources = [("network", "networks"), ("subnet", "subnets"), ("subnetpool", "subnetpools"),
                 ("port", "ports")]
    return web.json_response({"resources": [
        {"name": n, "collection": c, "links": [{"rel": "self", "href": f"{base}/v2.0/{c}"}]}
        for n, c in resources]})


async def extensions(request):
    return web.json_response({"extensions": EXTENSIONS})


async def extension(request):
    alias = request.match_info["alias"]
    ext = next((e for e in EXTENSIONS if e["alias"] == alias), None)
    if ext is None:
        raise not_found_ext(alias)
    return web.json_response({"extension": ext})


def not_found_ext(alias):
    from .util import CloudError
    return CloudError(404, f"Extension with alias {alias} does not exist", "HTTPNotFound")


# --- agents ------------------------------------------------------------------------------------

def _heartbeat(at) -> str:
    """Neutron's agent times: "2026-12-01 12:00:00" (no T, no zone)."""
    return at.strftime("%Y-%m-%d %H:%M:%S")


def agent_list(cloud, started: str) -> list[dict]:
    """Every agent devcloud's hosts run (devcloud/fleet.py), alive while its heartbeat is
    younger than Neutron's agent_down_time."""
    return [{"id": a["id"], "agent_type": a["agent_type"], "binary": a["binary"],
             "topic": a["topic"], "host": a["host"], "admin_state_up": a["admin_state_up"],
             "created_at": started, "started_at": started,
             "heartbeat_timestamp": _heartbeat(a["heartbeat"]), "description": None,
             "alive": a["alive"], "availability_zone": a["availability_zone"],
             "configurations": {}, "resources_synced": None, "resource_versions": {}}
            for a in fleet.agents(cloud)]


async def agents(request):
    state, ctx = request.app["neutron"], request["ctx"]
    if not ctx.is_admin:
        # Neutron's policy filters agents out for non-admins: an empty list, not a 403.
        return web.json_response({"agents": []})
    started = state.store.meta.setdefault("neutron_started", stamp().replace("T", " ")
                                          .rstrip("Z"))
    items = [a for a in agent_list(state.cloud, started) if listing.matches(a, _filters(request))]
    return web.json_response({"agents": items})


def _filters(request) -> dict:
    out: dict = {}
    for key, value in request.query.items():
        if key not in listing.PAGING:
            out.setdefault(key, []).append(value)
    return out


# --- network IP availability ----------------------------------------------------------------

def _subnet_availability(state, subnet: dict) -> dict:
    net = ipaddress.ip_network(subnet["cidr"])
    used = state.ip_used.get(subnet["id"], {})
    ranges = [(int(ipaddress.ip_address(p["start"])), int(ipaddress.ip_address(p["end"])))
              for p in subnet["allocation_pools"]]
    in_pool = sum(1 for ip in used if any(a <= ip <= b for a, b in ranges))
    total_pool = pool_size(subnet["allocation_pools"])
    total_subnet = net.num_addresses - (2 if net.version == 4 and net.prefixlen < 31 else 0)
    return {"subnet_id": subnet["id"], "ip_version": subnet["ip_version"],
            "cidr": subnet["cidr"], "subnet_name": subnet["name"], "used_ips": len(used),
            "total_ips": total_pool,
            "ip_availability_details": {"total_ips_in_subnet": total_subnet,
                                        "total_ips_in_allocation_pool": total_pool,
                                        "used_ips_in_subnet": len(used),
                                        "used_ips_in_allocation_pool": in_pool}}


def availability(state, network: dict) -> dict:
    subs = [_subnet_availability(state, state["subnets"][s]) for s in network["subnets"]]
    details = {k: sum(s["ip_availability_details"][k] for s in subs) for k in (
        "total_ips_in_subnet", "total_ips_in_allocation_pool", "used_ips_in_subnet",
        "used_ips_in_allocation_pool")}
    return {"network_id": network["id"], "network_name": network["name"],
            "project_id": network["project_id"], "tenant_id": network["project_id"],
            "subnet_ip_availability": subs, "used_ips": sum(s["used_ips"] for s in subs),
            "total_ips": sum(s["total_ips"] for s in subs), "ip_availability_details": details}


async def ip_availabilities(request):
    state, ctx = request.app["neutron"], request["ctx"]
    if not ctx.is_admin:
        return web.json_response({"network_ip_availabilities": []})
    filters = listing.parse_filters(request.query, {"network_id", "network_name", "project_id",
                                                    "tenant_id", "ip_version"})
    version = filters.pop("ip_version", None)
    nets = [n for n in state["networks"].values()]
    nets = [n for n in nets if listing.matches(
        {"network_id": n["id"], "network_name": n["name"], "project_id": n["project_id"],
         "tenant_id": n["project_id"]}, filters)]
    items = [availability(state, n) for n in nets]
    if version:
        for item in items:
            item["subnet_ip_availability"] = [s for s in item["subnet_ip_availability"]
                                              if str(s["ip_version"]) in version]
    return web.json_response({"network_ip_availabilities": items})


async def ip_availability(request):
    state, ctx = request.app["neutron"], request["ctx"]
    network = state["networks"].get(request.match_info["id"])
    if network is None or not ctx.is_admin:
        raise not_found("networks", request.match_info["id"])
    return web.json_response({"network_ip_availability": availability(state, network)})


# --- quotas -----------------------------------------------------------------------------------

def _quota_project(request, rule: str) -> str:
    ctx = request["ctx"]
    project = request.match_info["project_id"]
    if not ctx.is_admin and project != ctx.project_id:
        raise policy(rule)
    return project


async def quotas_list(request):
    state, ctx = request.app["neutron"], request["ctx"]
    if not ctx.is_admin:
        raise policy("get_quota")
    return web.json_response({"quotas": [
        {**QUOTA_DEFAULTS, **q, "project_id": p, "tenant_id": p}
        for p, q in state.store[QUOTA_STORE].items()]})


async def quota_show(request):
    state = request.app["neutron"]
    project = _quota_project(request, "get_quota")
    return web.json_response({"quota": state.quota_limits(project)})


async def quota_default(request):
    _quota_project(request, "get_quota")
    return web.json_response({"quota": dict(QUOTA_DEFAULTS)})


async def quota_details(request):
    state = request.app["neutron"]
    project = _quota_project(request, "get_quota")
    limits = state.quota_limits(project)
    return web.json_response({"quota": {
        k: {"limit": v, "used": state.quota_used(project, k), "reserved": 0}
        for k, v in limits.items()}})


async def quota_update(request):
    state, ctx = request.app["neutron"], request["ctx"]
    if not ctx.is_admin:
        raise policy("update_quota")
    project = request.match_info["project_id"]
    try:
        body = (await request.json())["quota"]
    except (ValueError, KeyError, TypeError):
        raise bad_request("Resource body required. Missing 'quota' in request body") from None
    body = {k: v for k, v in body.items() if k != "check_limit"}
    unknown = sorted(set(body) - set(QUOTA_DEFAULTS))
    if unknown:
        raise bad_request("Unrecognized attribute(s) '" + ", ".join(unknown) + "'")
    for key, value in body.items():
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise bad_request(f"Invalid input for {key}. Reason: '{value}' is not an "
                              f"integer.") from None
        if value < -1:
            raise bad_request(f"Invalid input for {key}. Reason: '{value}' is too small - must "
                              f"be at least '-1'.")
        used = state.quota_used(project, key)
        if value != -1 and value < used:
            raise bad_request(f"Quota limit {value} for {key} must be greater than or equal to "
                              f"already used {used}")
        body[key] = value
    state.store[QUOTA_STORE].setdefault(project, {}).update(body)
    state.store.touch()
    return web.json_response({"quota": state.quota_limits(project)})


async def quota_delete(request):
    state, ctx = request.app["neutron"], request["ctx"]
    if not ctx.is_admin:
        raise policy("delete_quota")
    state.store[QUOTA_STORE].pop(request.match_info["project_id"], None)
    state.store.touch()
    return web.Response(status=204)


def routes(r, root: str, prefix: str) -> None:
    add_root(r, root, versions)
    add_root(r, prefix, v2_root)
    r.add_get(f"{prefix}/extensions", extensions)
    r.add_get(f"{prefix}/extensions/{{alias}}", extension)
    r.add_get(f"{prefix}/agents", agents)
    r.add_get(f"{prefix}/network-ip-availabilities", ip_availabilities)
    r.add_get(f"{prefix}/network-ip-availabilities/{{id}}", ip_availability)
    r.add_get(f"{prefix}/quotas", quotas_list)
    r.add_get(f"{prefix}/quotas/{{project_id}}", quota_show)
    r.add_get(f"{prefix}/quotas/{{project_id}}/default", quota_default)
    r.add_get(f"{prefix}/quotas/{{project_id}}/details", quota_details)
    r.add_put(f"{prefix}/quotas/{{project_id}}", quota_update)
    r.add_delete(f"{prefix}/quotas/{{project_id}}", quota_delete)
