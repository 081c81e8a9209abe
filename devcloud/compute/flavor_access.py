"""Nova's os-flavor-access: which projects a private flavor is given to (admin only), as
Nova 34 answers it.

    GET  /flavors/{id}/os-flavor-access    {"flavor_access": [{"flavor_id", "tenant_id"}]};
                                           a public flavor has no list (404)
    POST /flavors/{id}/action              {"addTenantAccess": {"tenant"}} or
                                           {"removeTenantAccess": {"tenant"}}: the new list

Adding checks the project with Keystone (400 for one Keystone does not know); removing
does not. Nova's 409/404 messages name the flavor by its database row id, not its flavorid.
"""

from ..errors import CloudError
from . import flavor_schema as schema
from .api import compute_of, json_response, nova, require_admin
from .flavors import get


def _access(flavor: dict) -> dict:
    return {"flavor_access": [{"flavor_id": flavor["id"], "tenant_id": project}
                              for project in flavor.get("projects", [])]}


@nova
async def list_access(request):
    require_admin(request, "os_compute_api:os-flavor-access")
    flavor = get(request)
    if flavor["is_public"]:
        raise CloudError(404, "Access list not available for public flavors.")
    return json_response(_access(flavor))


@nova
async def flavor_action(request):
    action, project = schema.access_action(await schema.raw_body(request))
    store = compute_of(request).store
    if action == "addTenantAccess":
        require_admin(request, "os_compute_api:os-flavor-access:add_tenant_access")
        if project not in store["projects"]:  # Nova asks Keystone before the flavor
            raise CloudError(400, f"Project ID {project} is not a valid project.")
        flavor = get(request)
        projects = flavor.setdefault("projects", [])
        if project in projects:
            raise CloudError(409, f"Flavor access already exists for flavor "
                                  f"{flavor['db_id']} and project {project} combination.")
        projects.append(project)
    else:
        require_admin(request, "os_compute_api:os-flavor-access:remove_tenant_access")
        flavor = get(request)
        projects = flavor.setdefault("projects", [])
        if project not in projects:
            raise CloudError(404, f"Flavor access not found for {flavor['db_id']} / "
                                  f"{project} combination.")
        projects.remove(project)
    store.touch()
    return json_response(_access(flavor))


def routes(r, prefix: str) -> None:
    flavor = f"{prefix}/flavors/{{flavor_id}}"
    r.add_get(f"{flavor}/os-flavor-access", list_access)
    r.add_post(f"{flavor}/action", flavor_action)
