"""What every Cinder handler shares: the project in the path, microversions, policy, bodies.

Cinder v3 answers at /v3/{project_id}/... with the microversion it used in
`OpenStack-API-Version: volume 3.x` (errors too); its error bodies are Nova's shape
({"badRequest": {"code", "message"}}), a quota's 413 with `retryAfter`.
"""

import functools
import json
from datetime import UTC, datetime

from aiohttp import web

from .. import errors, request_ids
from ..cloud import CLOUD_KEY
from ..errors import CloudError
from ..microversions import asked, fmt, negotiate

MIN_VERSION = (3, 0)
MAX_VERSION = (3, 71)


def requested_version(request: web.Request) -> tuple[int, int]:
    return negotiate(asked(request, "volume"), MIN_VERSION, MAX_VERSION)


def render(err: CloudError) -> web.Response:
    return errors.render("volume", err)


def cinder(handler):
    """Wrap a Cinder v3 handler: the path's project must be the token's (an admin's may
    name any), negotiate the microversion, stamp the response headers."""
    @functools.wraps(handler)
    async def wrapper(request: web.Request):
        version = None
        request_ids.request_id(request)
        try:
            version = requested_version(request)
            request["mv"] = version
            ctx = request["ctx"]
            project = request.match_info.get("project_id")
            if project is not None and project != ctx.project_id and not ctx.is_admin:
                raise CloudError(400, "Malformed request url")
            response = await handler(request)
        except CloudError as err:
            response = render(err)
        if version is not None:
            response.headers["OpenStack-API-Version"] = f"volume {fmt(version)}"
            response.headers["Vary"] = "OpenStack-API-Version"
        return response
    return wrapper


def mv(request, minimum: str) -> bool:
    major, minor = minimum.split(".")
    return request["mv"] >= (int(major), int(minor))


def volume_of(request):
    return request.app[CLOUD_KEY].services["volume"]


def policy_error(rule: str) -> CloudError:
    return CloudError(403, f"Policy doesn't allow {rule} to be performed.")


def require_member(request, rule: str) -> None:
    if not request["ctx"].can_write:
        raise policy_error(rule)


def require_admin(request, rule: str) -> None:
    if not request["ctx"].is_admin:
        raise policy_error(rule)


async def body_of(request, key: str) -> dict:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CloudError(400, "Malformed request body") from None
    if not isinstance(body, dict) or not isinstance(body.get(key), dict):
        raise CloudError(400, f"Missing required element '{key}' in request body.")
    return body[key]


def invalid_input(field: str, value, reason: str) -> CloudError:
    """Cinder's JSON-schema validation text (the same words as Nova's)."""
    return CloudError(400, f"Invalid input for field/attribute {field}. Value: {value}. {reason}")


def stamp() -> str:
    """Cinder's naive timestamps: 2026-12-01T13:57:13.000000 (the database keeps seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000")


def json_response(body, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


def accepted() -> web.Response:
    return web.Response(status=202, content_type="application/json")


def self_links(request, collection: str, item_id: str) -> list[dict]:
    base = f"{request.scheme}://{request.host}/volume"
    project = request.match_info["project_id"]
    return [{"rel": "self", "href": f"{base}/v3/{project}/{collection}/{item_id}"},
            {"rel": "bookmark", "href": f"{base}/{project}/{collection}/{item_id}"}]
