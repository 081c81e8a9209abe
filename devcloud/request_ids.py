"""`x-openstack-request-id: req-<uuid>` on responses, as each real service sends it.

What the real 2026.2 services answer (checked on one with curl):
- Keystone and Placement: on every response, version documents and 401s included.
- Nova: on everything under /v2.1 (and /v2), 401s included, with the same id again in
  `x-compute-request-id`; not on the version list at `/` (Nova's versions app has no
  request_id filter in its paste pipeline).
- Neutron: on everything under /v2.0; not on the version list at `/`.
- Glance: on /v2 responses that got past keystonemiddleware; not on its 401s (auth_token
  answers before Glance's context middleware, which sets the header) nor on `/` and
  `/versions` (version negotiation answers those first).

A response-prepare hook rather than a middleware: it sees every response, including the
ones raised past all middlewares as HTTPException and any a handler streams itself.
"""

import uuid
from collections.abc import Callable

from aiohttp import web

HEADER = "x-openstack-request-id"
# The version documents each service serves before its request_id filter runs.
UNSTAMPED = {"/compute", "/compute/", "/networking", "/networking/",
             "/image", "/image/", "/image/versions"}
ALSO = {"compute": ("x-compute-request-id",)}


def request_id(request: web.Request) -> str:
    """This request's id, made on first use (Nova also records it in instance actions)."""
    rid = request.get("request_id")
    if rid is None:
        rid = request["request_id"] = f"req-{uuid.uuid4()}"
    return rid


def headers_for(service: str, path: str, status: int) -> tuple[str, ...]:
    """The request-id headers the real service puts on this response (maybe none)."""
    if path in UNSTAMPED or (service == "image" and status == 401):
        return ()
    return (HEADER, *ALSO.get(service, ()))


def setup(app: web.Application, service_of: Callable[[str], str]) -> None:
    """service_of: path -> service name (app.py's), passed in to keep imports one-way."""
    async def stamp(request: web.Request, response: web.StreamResponse) -> None:
        names = headers_for(service_of(request.path), request.path, response.status)
        if names:
            rid = request_id(request)
            for name in names:
                response.headers[name] = rid

    app.on_response_prepare.append(stamp)
