"""Placement for devcloud, served under /placement (catalog type `placement`).

devcloud's compute host is the one resource provider (uuid: the hypervisor's id, name: its
hostname), with Nova's inventories of VCPU, MEMORY_MB and DISK_GB and the servers on it as
its allocations. Read-only: nothing but devcloud's Nova writes allocations.

    state:     service.py (the provider, inventories, allocations, usages from compute's
               host), standard.json (the release's resource classes and traits)
    handlers:  providers.py (/resource_providers...), usages.py (/usages), root and the
               catch-all below; filters.py and schemas.py check what the list is asked;
               api.py: microversions, responses, policy
"""

from aiohttp import web

from ..cloud import Cloud
from ..errors import CloudError
from ..routes import add_resource, add_root, public
from . import providers, usages
from .api import MAX_VERSION, MIN_VERSION, fmt, not_found, placement, respond
from .service import Placement

PREFIX = "/placement"


@public
@placement
async def root(request):
    """The version document; its self link is "" (relative), as the real one's is."""
    return respond(request, {"versions": [{
        "id": f"v{fmt(MIN_VERSION)}", "max_version": fmt(MAX_VERSION),
        "min_version": fmt(MIN_VERSION), "status": "CURRENT",
        "links": [{"rel": "self", "href": ""}]}]})


@placement
async def elsewhere(request):
    """Any other path: Placement's router answers 405 on a path it serves, else 404."""
    allowed: list[str] = []
    for resource in request.app.router.resources():
        if resource is request.match_info.route.resource or \
                not resource.canonical.startswith(PREFIX):
            continue
        match, methods = await resource.resolve(request)
        if match is None:
            allowed += [m for m in sorted(methods) if m not in allowed and m != "HEAD"]
    if not allowed:
        raise not_found("", outer=True)
    err = CloudError(405, "", detail=f"The method {request.method} is not allowed for this "
                                     f"resource. \n\n The method specified is not allowed "
                                     f"for this resource.")
    err.headers["Allow"] = ", ".join(allowed)
    raise err


def setup(app: web.Application, cloud: Cloud) -> None:
    cloud.services["placement"] = Placement(cloud)
    r = app.router
    add_root(r, PREFIX, root)
    rps = f"{PREFIX}/resource_providers"
    rp = add_resource(r, rps, list_=providers.list_providers, show=providers.show_provider,
                      key="uuid")
    add_resource(r, f"{rp}/inventories", list_=providers.list_inventories,
                 show=providers.show_inventory, key="resource_class")
    r.add_get(f"{rp}/usages", providers.provider_usages)
    r.add_get(f"{rp}/aggregates", providers.provider_aggregates)
    r.add_get(f"{rp}/traits", providers.provider_traits)
    r.add_get(f"{rp}/allocations", providers.provider_allocations)
    r.add_get(f"{PREFIX}/usages", usages.total_usages)
    r.add_route("*", f"{PREFIX}/{{path:.*}}", elsewhere)  # last: after every real route
