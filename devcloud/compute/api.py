"""What every Nova handler shares: microversions, links, policy errors, request bodies.

Nova answers every v2.1 request (errors included) with the microversion it used in
`OpenStack-API-Version` / `X-OpenStack-Nova-API-Version`; the `nova` decorator does that
and renders CloudError itself so the headers are on error bodies too.
"""

import functools
import json
from datetime import UTC, datetime

from aiohttp import web

from .. import errors, request_ids
from ..cloud import CLOUD_KEY
from ..errors import CloudError
from ..microversions import asked, fmt, negotiate

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 104)
VARY = "OpenStack-API-Version, X-OpenStack-Nova-API-Version"


def requested_version(request: web.Request) -> tuple[int, int]:
    """The microversion asked for, as Nova reads it (the new header wins over the old)."""
    raw = asked(request, "compute")
    if raw is None:
        raw = request.headers.get("X-OpenStack-Nova-API-Version")
    return negotiate(raw, MIN_VERSION, MAX_VERSION)


def _stamp(response: web.StreamResponse, version: tuple[int, int] | None) -> None:
    # The request-id headers come from request_ids.py, as on every other response.
    if version is not None:
        response.headers["OpenStack-API-Version"] = f"compute {fmt(version)}"
        response.headers["X-OpenStack-Nova-API-Version"] = fmt(version)
        response.headers["Vary"] = VARY


def nova(handler):
    """Wrap a Nova v2.1 handler: negotiate the microversion, stamp the response headers."""
    @functools.wraps(handler)
    async def wrapper(request: web.Request):
        version = None
        request_ids.request_id(request)  # instance actions record it
        try:
            version = requested_version(request)
            request["mv"] = version
            response = await handler(request)
        except CloudError as err:
            response = errors.render("compute", err)
        _stamp(response, version)
        return response
    return wrapper


def mv(request, minimum: str) -> bool:
    """Is the request's microversion at least `minimum` (e.g. "2.47")?"""
    major, minor = minimum.split(".")
    return request["mv"] >= (int(major), int(minor))


def compute_of(request):
    return request.app[CLOUD_KEY].services["compute"]


def cloud_of(request):
    return request.app[CLOUD_KEY]


# --- links -----------------------------------------------------------------

def base(request) -> str:
    """http://HOST:PORT/compute, as the client reached us."""
    return f"{request.scheme}://{request.host}/compute"


def links(request, collection: str, item_id: str) -> list[dict]:
    return [{"rel": "self", "href": f"{base(request)}/v2.1/{collection}/{item_id}"},
            {"rel": "bookmark", "href": f"{base(request)}/{collection}/{item_id}"}]


def bookmark(request, collection: str, item_id: str) -> list[dict]:
    return [{"rel": "bookmark", "href": f"{base(request)}/{collection}/{item_id}"}]


# --- policy ----------------------------------------------------------------

def policy_error(rule: str) -> CloudError:
    return CloudError(403, f"Policy doesn't allow {rule} to be performed.")


def require_admin(request, rule: str):
    if not request["ctx"].is_admin:
        raise policy_error(rule)


def require_member(request, rule: str):
    if not request["ctx"].can_write:
        raise policy_error(rule)


# --- bodies and values -------------------------------------------------------

async def body_of(request, key: str | None = None) -> dict:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CloudError(400, "Malformed request body") from None
    if not isinstance(body, dict):
        raise CloudError(400, "Malformed request body")
    if key is not None and not isinstance(body.get(key), dict):
        raise invalid_input(key, body.get(key), f"'{key}' is a required property"
                            if key not in body else f"{body.get(key)!r} is not of type 'object'")
    return body


def invalid_input(field: str, value, reason: str) -> CloudError:
    """Nova's JSON-schema validation error text."""
    return CloudError(400, f"Invalid input for field/attribute {field}. Value: {value}. {reason}")


def invalid_query(field: str, value, reason: str) -> CloudError:
    return CloudError(400, f"Invalid input for query parameters {field}. Value: {value}. "
                           f"{reason}")


def now() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """Nova's `created`/`updated` shape: 2026-11-23T20:45:53Z."""
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_micro(dt: datetime) -> str:
    """Nova's naive-datetime shape (launched_at, updated_at of services): ...T20:45:57.000000."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f")


def parse_time(value: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def json_response(body, status: int = 200, **kwargs) -> web.Response:
    return web.json_response(body, status=status, **kwargs)
