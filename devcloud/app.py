"""The devcloud web application: one aiohttp server, one prefix per service.

    /v3                 Keystone (identity)
    /compute/v2.1       Nova (compute)
    /networking/v2.0    Neutron (network)
    /image/v2           Glance (image)
    /placement          Placement (resource providers: the compute host)
    /volume/v3/{project} Cinder (block storage: volumes, snapshots, types, quotas)
    /devcloud/...       devcloud's own admin API: faults, request accounting, config

Middlewares, outermost first: request accounting, fault injection, token auth, and
rendering CloudError in each service's own error shape. request_ids.py stamps
`x-openstack-request-id` on the responses as each real service does.
"""

import asyncio
import random
import re
import time

from aiohttp import web

from . import (
    admin,
    compute,
    consoles,
    errors,
    identity,
    image,
    network,
    placement,
    request_ids,
    volume,
)
from .cloud import CLOUD_KEY, SERVICES, Cloud, cloud_of
from .errors import CloudError
from .guests import service as guests


def service_of(path: str) -> str:
    if path.startswith("/devcloud"):
        return "devcloud"
    for name, prefix, _, _ in SERVICES:
        if path == prefix or path.startswith(prefix + "/"):
            return name
    return "identity"  # "/" is Keystone's version list, as on a real :5000


# --- middlewares -----------------------------------------------------------

@web.middleware
async def accounting(request: web.Request, handler):
    """Count every call per service and per route, so tests can count API calls."""
    cloud = cloud_of(request)
    service = service_of(request.path)
    if service != "devcloud":
        resource = request.match_info.route.resource
        template = resource.canonical if resource else request.path
        cloud.counts[service] += 1
        cloud.counts[f"{request.method} {template}"] += 1
        # The client's end of the TCP connection: one per connection, so tests can count
        # the connections a client opened (keep-alive reuse).
        peer = request.transport.get_extra_info("peername") if request.transport else None
        cloud.calls.append({"t": time.time(), "service": service, "method": request.method,
                            "path": request.path, "query": request.query_string,
                            "route": template,
                            "peer": f"{peer[0]}:{peer[1]}" if peer else None})
    return await handler(request)


def _matching_faults(cloud: Cloud, request: web.Request, service: str):
    for rule in cloud.faults:
        if rule.get("service") not in (None, service):
            continue
        if rule.get("method") not in (None, request.method):
            continue
        if rule.get("path") and not re.search(rule["path"], request.path):
            continue
        yield rule


@web.middleware
async def fault_injection(request: web.Request, handler):
    cloud = cloud_of(request)
    service = service_of(request.path)
    if service == "devcloud":
        return await handler(request)
    for rule in list(_matching_faults(cloud, request, service)):
        if rule.get("latency_ms"):
            await asyncio.sleep(rule["latency_ms"] / 1000)
        if rule.get("down"):
            # A service that stops answering: hold the request until the fault is cleared.
            deadline = time.monotonic() + rule.get("hold_s", 300)
            while rule in cloud.faults and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        if rule.get("status") and random.random() < rule.get("rate", 1.0):
            if rule.get("count") is not None:
                rule["count"] -= 1
                if rule["count"] <= 0:
                    cloud.faults.remove(rule)
            raise CloudError(rule["status"], rule.get("message", "Injected fault"),
                             rule.get("kind"))
    return await handler(request)


@web.middleware
async def error_rendering(request: web.Request, handler):
    try:
        return await handler(request)
    except CloudError as err:
        return errors.render(service_of(request.path), err, request.headers.get("Accept"))
    except web.HTTPException as exc:
        if exc.status >= 400 and service_of(request.path) != "devcloud":
            return errors.render(service_of(request.path), CloudError(exc.status, exc.reason),
                                 request.headers.get("Accept"))
        raise


@web.middleware
async def authentication(request: web.Request, handler):
    """Resolve X-Auth-Token into request["ctx"]; routes marked public skip this."""
    public = getattr(request.match_info.handler, "public", False)
    if not public:
        identity = cloud_of(request).services["identity"]
        token = request.headers.get("X-Auth-Token")
        ctx = identity.validate(token) if token else None
        if ctx is None:
            err = CloudError(401, "The request you have made requires authentication.")
            # keystonemiddleware's challenge (Placement's renderer sends err.headers)
            err.headers["WWW-Authenticate"] = f'Keystone uri="{cloud_of(request).base_url}"'
            raise err
        request["ctx"] = ctx
    return await handler(request)


def build_app(cloud: Cloud) -> web.Application:
    chain = [accounting, error_rendering, fault_injection, authentication]
    if cloud.config.notifications:
        from . import notifications

        # one notifier for every service (compute and volume reach it as cloud.notifier);
        # Neutron's middleware innermost: it sees the answer before errors are rendered
        cloud.notifier = notifications.Notifier(cloud.config.notifications)
        chain.append(notifications.middleware(cloud.notifier))
    app = web.Application(
        middlewares=chain,
        client_max_size=64 * 1024 * 1024,
    )
    app[CLOUD_KEY] = cloud
    request_ids.setup(app, service_of)
    # Order matters: later services look up earlier ones in cloud.services.
    for module in (identity, image, network, volume, compute, placement, consoles, guests,
                   admin):
        if module is volume and not cloud.config.serves("volume"):
            continue   # no routes: its paths answer Cinder's 404, no catalog entry names it
        module.setup(app, cloud)
    return app
