"""/resource_providers: list (with its filters), show, and each provider's inventories,
usages, aggregates, traits and allocations - read-only, as Nova's host reports them."""

from . import filters, schemas
from .api import not_found, placement, placement_of, require_admin_or_service, respond


def _links(request, uuid: str) -> list[dict]:
    url = f"/resource_providers/{uuid}"
    rels = ["inventories", "usages"]
    for since, rel in (((1, 1), "aggregates"), ((1, 6), "traits"), ((1, 11), "allocations")):
        if request["placement_version"] >= since:
            rels.append(rel)
    return [{"rel": "self", "href": url}] + [{"rel": r, "href": f"{url}/{r}"} for r in rels]


def _view(request, rp: dict) -> dict:
    view = {"uuid": rp["uuid"], "name": rp["name"], "generation": rp["generation"],
            "links": _links(request, rp["uuid"])}
    if request["placement_version"] >= (1, 14):
        view["parent_provider_uuid"] = rp["parent_provider_uuid"]
        view["root_provider_uuid"] = rp["root_provider_uuid"]
    return view


def _provider(request, message: str, outer: bool = False) -> dict:
    """The provider named in the path, or Placement's 404 (worded per endpoint)."""
    uuid = request.match_info["uuid"]
    rp = placement_of(request).get(uuid)
    if rp is None:
        gone = f"No resource provider with uuid {uuid} found"
        raise not_found(message.format(uuid=uuid, error=gone), outer)
    return rp


def _matches(request, rp: dict, service) -> bool:
    q = request.query
    groups, forbidden_aggs = filters.member_of(request) if "member_of" in q else ([], set())
    traits, forbidden_traits = filters.required(request) if "required" in q else ([], set())
    wanted = filters.resources(q["resources"]) if "resources" in q else {}
    filters.known(wanted, traits, forbidden_traits)
    del forbidden_aggs  # the host is in no aggregate: nothing to forbid
    node = set(service.traits(rp["host"]))
    return (("uuid" not in q or q.getall("uuid")[-1] == rp["uuid"])
            and ("name" not in q or q.getall("name")[-1] == rp["name"])
            and ("in_tree" not in q or q.getall("in_tree")[-1].strip() == rp["uuid"])
            and not groups
            and all(group & node for group in traits) and not forbidden_traits & node
            and all(service.fits(rc, amount, rp["host"]) for rc, amount in wanted.items()))


@placement
async def list_providers(request):
    require_admin_or_service(request, "placement:resource_providers:list")
    schemas.validate(request.query, schemas.providers_schema(request["placement_version"]))
    service = placement_of(request)
    found = [rp for rp in service.providers() if _matches(request, rp, service)]
    modified = max((rp["updated_at"] for rp in found), default=None)
    return respond(request, {"resource_providers": [_view(request, rp) for rp in found]},
                   modified)


@placement
async def show_provider(request):
    require_admin_or_service(request, "placement:resource_providers:show")
    rp = _provider(request, "{error}", outer=True)
    return respond(request, _view(request, rp), rp["updated_at"])


@placement
async def list_inventories(request):
    require_admin_or_service(request, "placement:resource_providers:inventories:list")
    rp = _provider(request, "No resource provider with uuid {uuid} found : {error}")
    return respond(request, {"resource_provider_generation": rp["generation"],
                             "inventories": placement_of(request).inventories()},
                   rp["created_at"])


@placement
async def show_inventory(request):
    require_admin_or_service(request, "placement:resource_providers:inventories:show")
    rp = _provider(request, "No resource provider with uuid {uuid} found : {error}")
    rc = request.match_info["resource_class"]
    inventory = placement_of(request).inventories().get(rc)
    if inventory is None:
        raise not_found(f"No inventory of class {rc} for {rp['uuid']}")
    return respond(request, {**inventory, "resource_provider_generation": rp["generation"]},
                   rp["created_at"])


@placement
async def provider_usages(request):
    require_admin_or_service(request, "placement:resource_providers:usages")
    rp = _provider(request, "No resource provider with uuid {uuid} found: {error}")
    return respond(request, {"resource_provider_generation": rp["generation"],
                             "usages": placement_of(request).usages(rp["host"])})


@placement
async def provider_aggregates(request):
    if request["placement_version"] < (1, 1):
        raise not_found("")
    require_admin_or_service(request, "placement:resource_providers:aggregates:list")
    rp = _provider(request, "{error}", outer=True)
    body = {"aggregates": []}
    if request["placement_version"] >= (1, 19):
        body["resource_provider_generation"] = rp["generation"]
    return respond(request, body)


@placement
async def provider_traits(request):
    if request["placement_version"] < (1, 6):
        raise not_found("")
    require_admin_or_service(request, "placement:resource_providers:traits:list")
    rp = _provider(request, "No resource provider with uuid {uuid} found: {error}")
    return respond(request, {"traits": placement_of(request).traits(rp["host"]),
                             "resource_provider_generation": rp["generation"]},
                   rp["created_at"])


@placement
async def provider_allocations(request):
    require_admin_or_service(request, "placement:resource_providers:allocations:list")
    rp = _provider(request, "Resource provider '{uuid}' not found: {error}")
    allocations = {consumer: {"resources": alloc["resources"]}
                   for consumer, alloc in placement_of(request).allocations(rp["host"]).items()}
    return respond(request, {"allocations": allocations,
                             "resource_provider_generation": rp["generation"]})
