"""The devcloud web application: one aiohttp server, one prefix per service.

    /v3                 Keystone (identity)
    /compute/v2.1       Nova (compute)
    /networking/v2.0    Neutron (network)
    /image/v2           Glance (image)
    /devcloud/...       devcloud's own admin API: faults, request accounting, config

Middlewares, outermost first: request accounting, fault injection, token auth, and
rendering CloudError in each service's own error shape.
"""

import asyncio
import random
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from . import errors
from .errors import CloudError
from .store import Store

SERVICES = (
    # (service name, path prefix, catalog type, catalog name)
    ("identity", "/v3", "identity", "keystone"),
    ("compute", "/compute", "compute", "nova"),
    ("network", "/networking", "network", "neutron"),
    ("image", "/image", "image", "glance"),
)


def service_of(path: str) -> str:
    if path.startswith("/devcloud"):
        return "devcloud"
    for name, prefix, _, _ in SERVICES:
        if path == prefix or path.startswith(prefix + "/"):
            return name
    return "identity"  # "/" is Keystone's version list, as on a real :5000


@dataclass
class Config:
    host: str = "127.0.0.1"
    public_host: str | None = None  # the host name clients reach us by (catalog, console URLs)
    port: int = 5000
    console_port: int = 6080
    spice_port: int = 6082
    state_dir: Path | None = None
    build_delay: float = 2.0
    qemu: bool = False
    guests: str = "none"


@dataclass
class Cloud:
    """Everything a handler needs: config, state, and the service modules' own objects."""

    config: Config
    store: Store
    counts: Counter = field(default_factory=Counter)
    calls: deque = field(default_factory=lambda: deque(maxlen=20000))
    faults: list = field(default_factory=list)
    services: dict = field(default_factory=dict)  # name -> service object (compute, network...)

    @property
    def base_url(self) -> str:
        return f"http://{self.config.public_host or self.config.host}:{self.config.port}"

    def endpoint(self, service: str) -> str:
        return {
            "identity": f"{self.base_url}/v3",
            "compute": f"{self.base_url}/compute/v2.1",
            "network": f"{self.base_url}/networking",
            "image": f"{self.base_url}/image",
        }[service]


CLOUD_KEY = web.AppKey("cloud", Cloud)


def cloud_of(request: web.Request) -> Cloud:
    return request.app[CLOUD_KEY]


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
        cloud.calls.append({"t": time.time(), "service": service, "method": request.method,
                            "path": request.path, "query": request.query_string,
                            "route": template})
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
        return errors.render(service_of(request.path), err)
    except web.HTTPException as exc:
        if exc.status >= 400 and service_of(request.path) != "devcloud":
            return errors.render(service_of(request.path), CloudError(exc.status, exc.reason))
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
            raise CloudError(401, "The request you have made requires authentication.")
        request["ctx"] = ctx
    return await handler(request)


def public(handler):
    """Mark a handler as reachable without a token (version documents, POST /v3/auth/tokens)."""
    handler.public = True
    return handler


def build_app(cloud: Cloud) -> web.Application:
    from . import admin, compute, consoles, identity, image, network
    from .guests import service as guests

    app = web.Application(
        middlewares=[accounting, error_rendering, fault_injection, authentication],
        client_max_size=64 * 1024 * 1024,
    )
    app[CLOUD_KEY] = cloud
    # Order matters: later services look up earlier ones in cloud.services.
    for module in (identity, image, network, compute, consoles, guests, admin):
        module.setup(app, cloud)
    return app
