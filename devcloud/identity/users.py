"""Keystone users, and the projects a user has a role on."""

from aiohttp import web

from ..errors import CloudError
from .api import by_name, collection, identity_of, project_view, refused, require_admin, user_view


async def list_users(request):
    require_admin(request, "identity:list_users")
    users = by_name(request, identity_of(request).store["users"].values())
    return collection(request, "users", [user_view(request, u) for u in users], "/v3/users")


async def get_user(request):
    idn = identity_of(request)
    ctx = request["ctx"]
    user = idn.store["users"].get(request.match_info["user_id"])
    if user is None or (not ctx.is_admin and user["id"] != ctx.user_id):
        raise CloudError(404, f"Could not find user: {request.match_info['user_id']}.")
    return web.json_response({"user": user_view(request, user)})


async def create_user(request):
    require_admin(request, "identity:create_user")
    idn = identity_of(request)
    body = (await request.json()).get("user") or {}
    domain_id = body.get("domain_id", "default")
    if any(u["name"] == body.get("name") and u["domain_id"] == domain_id
           for u in idn.store["users"].values()):
        raise CloudError(409, f"Conflict occurred attempting to store user - Duplicate entry "
                              f"found with name {body.get('name')} at domain ID {domain_id}.")
    user = idn.create_user(body["name"], body.get("password", ""), domain_id)
    if body.get("default_project_id"):
        user["default_project_id"] = body["default_project_id"]
    return web.json_response({"user": user_view(request, user)}, status=201)


async def delete_user(request):
    require_admin(request, "identity:delete_user")
    uid = request.match_info["user_id"]
    if not identity_of(request).remove("users", uid, "user_id"):
        raise CloudError(404, f"Could not find user: {uid}.")
    return web.Response(status=204)


async def user_projects(request):
    idn = identity_of(request)
    ctx = request["ctx"]
    uid = request.match_info["user_id"]
    if not ctx.is_admin and uid != ctx.user_id:
        raise refused("identity:list_user_projects")
    projects = [project_view(request, p) for p in idn.user_projects(uid)]
    return collection(request, "projects", projects, f"/v3/users/{uid}/projects")
