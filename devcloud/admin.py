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
                               {"build_delay": seconds, "token_ttl": seconds}
"""

from aiohttp import web

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
            "qemu": cloud.config.qemu, "guests": cloud.config.guests}


async def get_config(request):
    return web.json_response(_config_view(_admin(request)))


async def set_config(request):
    cloud = _admin(request)
    body = await request.json()
    if "build_delay" in body:
        cloud.config.build_delay = float(body["build_delay"])
    if "token_ttl" in body:
        cloud.services["identity"].token_ttl = int(body["token_ttl"])
    return web.json_response(_config_view(cloud))


def setup(app: web.Application, cloud: Cloud) -> None:
    r = app.router
    r.add_get("/devcloud/stats", get_stats)
    r.add_delete("/devcloud/stats", reset_stats)
    r.add_get("/devcloud/faults", get_faults)
    r.add_post("/devcloud/faults", add_fault)
    r.add_delete("/devcloud/faults", clear_faults)
    r.add_get("/devcloud/config", get_config)
    r.add_post("/devcloud/config", set_config)
