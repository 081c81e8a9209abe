"""devcloud's own admin API, outside the OpenStack APIs (admin token required).

    GET    /devcloud/stats     calls per service and per route since the last reset,
                               plus the most recent calls (method, path, query, and
                               "peer": the client's address:port, one per TCP connection)
    DELETE /devcloud/stats     reset the counters
    GET    /devcloud/faults    the fault rules in force
    POST   /devcloud/faults    add a rule: {"service", "method", "path" (regex), "status",
                               "message", "kind", "rate", "count", "latency_ms", "down"}
                               or {"error_servers": N, "message": "..."}: the next N servers
                               end in ERROR with that fault message
    DELETE /devcloud/faults    clear every rule
    GET    /devcloud/config    runtime settings; POST changes them:
                               {"build_delay": seconds, "token_ttl": seconds,
                                "compute_hosts": N}
    GET    /devcloud/services  every Nova service and Neutron agent (devcloud/fleet.py)
    POST   /devcloud/services  a service's heartbeat stops or starts again:
                               {"host", "binary", "alive": false[, "stopped_ago": s]}
                               (default: long enough ago that Nova and Neutron count it
                               down at once) or {"host", "binary", "alive": true}
    DELETE /devcloud/services  every service enabled, up and beating again
"""

from aiohttp import web

from . import fleet
from .cloud import CLOUD_KEY, Cloud
from .errors import CloudError


def _admin(request) -> Cloud:
    ctx = request["ctx"]
    if not ctx.is_admin:
        raise CloudError(403, "devcloud admin API needs an admin token.")
    return request.app[CLOUD_KEY]


async def get_stats(request):
    cloud = _admin(request)
    since = float(request.query.get("since", 0))
    calls = [c for c in cloud.calls if c["t"] >= since]
    return web.json_response({"counts": dict(cloud.counts), "calls": calls})


async def reset_stats(request):
    cloud = _admin(request)
    cloud.counts.clear()
    cloud.calls.clear()
    return web.Response(status=204)


async def get_faults(request):
    cloud = _admin(request)
    compute = cloud.services.get("compute")
    return web.json_response({"rules": cloud.faults,
                              "error_servers": getattr(compute, "error_servers", [])})


async def add_fault(request):
    cloud = _admin(request)
    body = await request.json()
    if "error_servers" in body:
        compute = cloud.services["compute"]
        message = body.get("message", "No valid host was found. There are not enough hosts "
                                      "available.")
        compute.error_servers.extend([message] * int(body["error_servers"]))
    else:
        cloud.faults.append(body)
    return web.json_response({"rules": cloud.faults}, status=201)


async def clear_faults(request):
    cloud = _admin(request)
    cloud.faults.clear()
    compute = cloud.services.get("compute")
    if compute is not None:
        compute.error_servers.clear()
    return web.Response(status=204)


def _config_view(cloud: Cloud) -> dict:
    return {"build_delay": cloud.config.build_delay,
            "token_ttl": cloud.services["identity"].token_ttl,
            "qemu": cloud.config.qemu, "guests": cloud.config.guests,
            "compute_hosts": cloud.config.compute_hosts}


async def get_config(request):
    return web.json_response(_config_view(_admin(request)))


async def set_config(request):
    cloud = _admin(request)
    body = await request.json()
    if "build_delay" in body:
        cloud.config.build_delay = float(body["build_delay"])
    if "token_ttl" in body:
        cloud.services["identity"].token_ttl = int(body["token_ttl"])
    if "compute_hosts" in body:
        cloud.config.compute_hosts = max(1, int(body["compute_hosts"]))
    return web.json_response(_config_view(cloud))


def _services_view(cloud: Cloud) -> dict:
    return {"nova": [{**s, "updated_at": s["updated_at"].isoformat()}
                     for s in fleet.nova_services(cloud)],
            "agents": [{**a, "heartbeat": a["heartbeat"].isoformat()}
                       for a in fleet.agents(cloud)]}


async def get_services(request):
    return web.json_response(_services_view(_admin(request)))


async def set_service(request):
    cloud = _admin(request)
    body = await request.json()
    host, binary = body.get("host"), body.get("binary")
    known = {(s["host"], s["binary"]) for s in fleet.nova_services(cloud)} | \
            {(a["host"], a["binary"]) for a in fleet.agents(cloud)}
    if (host, binary) not in known:
        raise CloudError(404, f"No service {binary} on host {host}.")
    if body.get("alive", True):
        fleet.start_heartbeat(cloud, host, binary)
    else:
        ago = float(body.get("stopped_ago", max(fleet.SERVICE_DOWN_TIME,
                                                fleet.AGENT_DOWN_TIME) + 1))
        fleet.stop_heartbeat(cloud, host, binary, ago)
    return web.json_response(_services_view(cloud))


async def reset_services(request):
    fleet.forget_changes(_admin(request))
    return web.Response(status=204)


def setup(app: web.Application, cloud: Cloud) -> None:
    r = app.router
    r.add_get("/devcloud/stats", get_stats)
    r.add_delete("/devcloud/stats", reset_stats)
    r.add_get("/devcloud/faults", get_faults)
    r.add_post("/devcloud/faults", add_fault)
    r.add_delete("/devcloud/faults", clear_faults)
    r.add_get("/devcloud/config", get_config)
    r.add_post("/devcloud/config", set_config)
    r.add_get("/devcloud/services", get_services)
    r.add_post("/devcloud/services", set_service)
    r.add_delete("/devcloud/services", reset_services)
