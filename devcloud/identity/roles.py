"""Keystone roles, grants of a role to a user on a project, and role assignments."""

from aiohttp import web

from ..errors import CloudError
from .api import by_name, collection, identity_of, link, require_admin


async def list_roles(request):
    roles = [{**r, "links": {"self": link(request, f"/v3/roles/{r['id']}")}}
             for r in by_name(request, identity_of(request).store["roles"].values())]
    return collection(request, "roles", roles, "/v3/roles")


async def grant_role(request):
    require_admin(request, "identity:create_grant")
    idn = identity_of(request)
    m = request.match_info
    role = idn.store["roles"].get(m["role_id"])
    if m["project_id"] not in idn.store["projects"]:
        raise CloudError(404, f"Could not find project: {m['project_id']}.")
    if m["user_id"] not in idn.store["users"]:
        raise CloudError(404, f"Could not find user: {m['user_id']}.")
    if role is None:
        raise CloudError(404, f"Could not find role: {m['role_id']}.")
    idn.assign(m["user_id"], m["project_id"], role["name"])
    return web.Response(status=204)


async def revoke_role(request):
    require_admin(request, "identity:revoke_grant")
    idn = identity_of(request)
    m = request.match_info
    key = f"{m['user_id']}:{m['project_id']}:{m['role_id']}"
    if idn.store["assignments"].pop(key, None) is None:
        raise CloudError(404, f"Could not find role assignment with role: {m['role_id']}, "
                              f"user or group: {m['user_id']}, project, domain, or system: "
                              f"{m['project_id']}.")
    idn.store.touch()
    return web.Response(status=204)


async def role_assignments(request):
    idn = identity_of(request)
    ctx = request["ctx"]
    q = request.query
    out = []
    for a in idn.store["assignments"].values():
        if "user.id" in q and a["user_id"] != q["user.id"]:
            continue
        if "scope.project.id" in q and a["project_id"] != q["scope.project.id"]:
            continue
        if not ctx.is_admin and a["user_id"] != ctx.user_id:
            continue
        out.append({"role": {"id": a["role_id"]}, "user": {"id": a["user_id"]},
                    "scope": {"project": {"id": a["project_id"]}},
                    "links": {"assignment": link(
                        request, f"/v3/projects/{a['project_id']}/users/{a['user_id']}"
                                 f"/roles/{a['role_id']}")}})
    return collection(request, "role_assignments", out, "/v3/role_assignments")
