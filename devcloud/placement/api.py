"""What every Placement handler shares: microversions, responses, policy, errors.

Placement 16.0.0 (2026.2) serves microversions 1.0 to 1.39 and stamps every answer with
`openstack-api-version: placement X` (and `x-openstack-request-id`: request_ids.py). It
adds `vary: openstack-api-version` only to what its handlers return: an error raised past
them (a policy refusal, a provider lookup's 404, an unknown route) has no `vary`; devcloud
marks those errors `outer`. Errors carry `code` from 1.23, and `Last-Modified` with
`Cache-Control: no-cache` come from 1.15.
"""

import functools
import json
from datetime import UTC, datetime

from aiohttp import web

from .. import errors, request_ids
from ..cloud import cloud_of
from ..errors import CloudError

MIN_VERSION = (1, 0)
MAX_VERSION = (1, 39)
HEADER = "openstack-api-version"
OUTER = "outer"  # CloudError.kind of an error raised past the handler


def fmt(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


class VersionRefused(Exception):
    """A microversion header Placement cannot serve: 400 unreadable, 406 out of range."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def _parse(raw: str) -> tuple[int, int]:
    parts = raw.split(".", 1)
    try:
        numbers = [int(p) for p in parts]  # int() allows what microversion-parse allows
    except ValueError as exc:
        raise VersionRefused(400, f"invalid version string: {raw}; {exc}") from None
    if len(numbers) == 1:
        raise VersionRefused(400, f"invalid version string: {raw}; Version.__new__() missing "
                                  f"1 required positional argument: 'minor'")
    return numbers[0], numbers[1]


def requested_version(request: web.Request) -> tuple[int, int]:
    """microversion-parse's reading: the last `placement` value of the standard header."""
    raw = None
    for header in request.headers.getall(HEADER, []):
        for part in header.split(","):
            service, _, value = part.strip().partition(" ")
            if service.lower() == "placement":
                raw = value.strip()
    if raw is None:
        return MIN_VERSION
    if raw == "latest":
        return MAX_VERSION
    version = _parse(raw)
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise VersionRefused(406, f"Unacceptable version header: {raw}")
    return version


def _refused_version(err: VersionRefused, request_id: str) -> web.Response:
    if err.status == 406:
        detail = ("The resource could not be generated that was acceptable to your browser "
                  "(content of type application/json. \n\n Invalid microversion: "
                  f"{err.detail}")
        body = errors.placement_error(406, detail, request_id)
        body["errors"][0].update(max_version=fmt(MAX_VERSION), min_version=fmt(MIN_VERSION))
    else:
        body = errors.placement_error(
            400, errors.placement_detail(400, f"Invalid microversion: {err.detail}"),
            request_id)
    return web.Response(body=json.dumps(body).encode(), status=err.status,
                        content_type="application/json",
                        headers={"x-openstack-request-id": request_id})


def placement(handler):
    """Wrap a Placement handler: negotiate the microversion, render CloudError in
    Placement's shape, stamp the version, vary and request id headers."""
    @functools.wraps(handler)
    async def wrapper(request: web.Request):
        request_id = request_ids.request_id(request)  # the one the response is stamped with
        try:
            version = requested_version(request)
        except VersionRefused as err:
            return _refused_version(err, request_id)
        request["placement_version"] = version
        try:
            response = await handler(request)
            vary = True
        except CloudError as err:
            response = errors.placement_response(err, request_id, code=version >= (1, 23))
            vary = err.kind != OUTER
        response.headers[HEADER] = f"placement {fmt(version)}"
        if vary:
            response.headers["vary"] = HEADER
        return response
    return wrapper


def mv(request, minimum: str) -> bool:
    """Is the request's microversion at least `minimum` (e.g. "1.15")?"""
    major, minor = minimum.split(".")
    return request["placement_version"] >= (int(major), int(minor))


def respond(request, body: dict, modified: datetime | None = None) -> web.Response:
    """JSON as Placement sends it (no charset); from 1.15 the time the answer last changed
    (`modified`, or now: usages are "what is used now")."""
    response = web.Response(body=json.dumps(body).encode(), content_type="application/json")
    if mv(request, "1.15"):
        response.last_modified = modified or datetime.now(UTC)
        response.headers["Cache-Control"] = "no-cache"
    return response


def placement_of(request):
    return cloud_of(request).services["placement"]


# --- policy (Placement's defaults) ------------------------------------------------------

def refused(rule: str) -> CloudError:
    return CloudError(403, f"Policy does not allow {rule} to be performed.", OUTER)


def require_admin_or_service(request, rule: str) -> None:
    """rule:admin_or_service_api, what every resource provider read needs."""
    ctx = request["ctx"]
    if not (ctx.is_admin or "service" in ctx.roles):
        raise refused(rule)


def require_project_reader(request, rule: str, project_id: str | None) -> None:
    """rule:admin_or_project_reader_or_service_api: a reader of that very project."""
    ctx = request["ctx"]
    if ctx.is_admin or "service" in ctx.roles:
        return
    if "reader" not in ctx.roles or project_id != ctx.project_id:
        raise refused(rule)


def bad_request(message: str) -> CloudError:
    return CloudError(400, message)


def not_found(message: str, outer: bool = False) -> CloudError:
    return CloudError(404, message, OUTER if outer else None)
