"""Keystone's resource API: projects and domains."""

from aiohttp import web

from ..errors import CloudError
from .api import by_name, collection, identity_of, link, project_view, refused, require_admin


async def list_projects(request):
    require_admin(request, "identity:list_projects")
    projects = by_name(request, identity_of(request).store["projects"].values())
    return collection(request, "projects", [project_view(request, p) for p in projects],
                      "/v3/projects")


async def get_project(request):
    idn = identity_of(request)
    ctx = request["ctx"]
    project = idn.store["projects"].get(request.match_info["project_id"])
    if project is None or (not ctx.is_admin and project["id"] != ctx.project_id):
        if not ctx.is_admin and project is not None:
            raise refused("identity:get_project")
        raise CloudError(404, f"Could not find project: {request.match_info['project_id']}.")
    return web.json_response({"project": project_view(request, project)})


async def create_project(request):
    require_admin(request, "identity:create_project")
    idn = identity_of(request)
    body = (await request.json()).get("project") or {}
    domain_id = body.get("domain_id", "default")
    if not body.get("name"):
        raise CloudError(400, "Invalid input for field 'name': None is not of type 'string'")
    if idn.project_by_name(body["name"], domain_id):
        raise CloudError(409, f"Conflict occurred attempting to store project - it is not "
                              f"permitted to have two projects with the same name in the same "
                              f"domain : {body['name']}.")
    project = idn.create_project(body["name"], domain_id, body.get("description", ""))
    return web.json_response({"project": project_view(request, project)}, status=201)


async def delete_project(request):
    require_admin(request, "identity:delete_project")
    pid = request.match_info["project_id"]
    if not identity_of(request).remove("projects", pid, "project_id"):
        raise CloudError(404, f"Could not find project: {pid}.")
    return web.Response(status=204)


def _domain_view(request, d: dict) -> dict:
    return {**d, "links": {"self": link(request, f"/v3/domains/{d['id']}")}}


async def list_domains(request):
    domains = by_name(request, identity_of(request).store["domains"].values())
    return collection(request, "domains", [_domain_view(request, d) for d in domains],
                      "/v3/domains")


async def get_domain(request):
    d = identity_of(request).store["domains"].get(request.match_info["domain_id"])
    if d is None:
        raise CloudError(404, f"Could not find domain: {request.match_info['domain_id']}.")
    return web.json_response({"domain": _domain_view(request, d)})
