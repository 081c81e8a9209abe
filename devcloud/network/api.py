"""Request helpers shared by the resource handlers: body parsing, write policy."""

from .util import CloudError, bad_request, policy


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
