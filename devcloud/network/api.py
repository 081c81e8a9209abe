"""What the resource handlers share: body parsing, write policy, and the list, show and
delete handlers every Neutron resource has (they differ only in names and renderers)."""

from aiohttp import web

from . import listing
from .util import CloudError, bad_request, policy


def _view(render, state, with_state: bool):
    return (lambda ctx, obj: render(ctx, obj, state)) if with_state else render


def list_handler(coll: str, render, fields: set, with_state: bool = False):
    """GET /<coll>: Neutron's visibility, filters, sorting, paging and fields."""
    async def list_(request):
        state = request.app["neutron"]
        return listing.list_response(request, state, coll, coll,
                                     _view(render, state, with_state), fields)
    return list_


def show_handler(coll: str, member: str, render, with_state: bool = False):
    """GET /<coll>/{id}: the object if the caller may see it, with `fields` applied."""
    async def show(request):
        state, ctx = request.app["neutron"], request["ctx"]
        obj = state.get(ctx, coll, request.match_info["id"])
        view = _view(render, state, with_state)(ctx, obj)
        return web.json_response({member: listing.select_fields(
            view, request.query.getall("fields", []))})
    return show


def delete_handler(coll: str, rule: str, delete):
    """DELETE /<coll>/{id}: the caller's own (policy `rule`), removed by `delete(state, obj)`."""
    async def remove(request):
        state, ctx = request.app["neutron"], request["ctx"]
        obj = state.get_own(ctx, coll, request.match_info["id"], rule)
        require_write(ctx, rule)
        delete(state, obj)
        return web.Response(status=204)
    return remove


async def read_body(request, key: str, allowed: set) -> dict:
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("Malformed request body") from None
    if not isinstance(body, dict) or not isinstance(body.get(key), dict):
        raise bad_request(f"Resource body required. Missing '{key}' in request body")
    data = body[key]
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise bad_request("Unrecognized attribute(s) '" + ", ".join(unknown) + "'")
    return data


def require_write(ctx, rule: str) -> None:
    """Reader role: every change is refused by policy, as Neutron's default policies do."""
    if not ctx.can_write:
        raise policy(rule)


def owner_of(ctx, data: dict, rule: str) -> str:
    """The project a new resource belongs to: the caller's, or any for admin."""
    project = data.get("project_id") or data.get("tenant_id") or ctx.project_id
    if project != ctx.project_id and not ctx.is_admin:
        raise policy(rule)
    return project


def admin_only_fields(ctx, data: dict, fields, rule: str) -> None:
    """Attributes only admins may set (provider:*, router:external, shared...)."""
    for f in fields:
        if f in data and not ctx.is_admin:
            raise CloudError(403, f"(rule:{rule} and rule:{rule}:{f}) is disallowed by policy",
                             "PolicyNotAuthorized")


def as_bool(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1"):
        return True
    if str(value).lower() in ("false", "0"):
        return False
    raise bad_request(f"Invalid input for {field}. Reason: '{value}' cannot be converted to "
                      f"boolean.")


def base_attrs(obj_id: str, project_id: str, now: str) -> dict:
    return {"id": obj_id, "tenant_id": project_id, "project_id": project_id,
            "description": "", "tags": [], "created_at": now, "updated_at": now,
            "revision_number": 0}
