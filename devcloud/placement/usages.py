"""GET /usages?project_id=[&user_id=][&consumer_type=]: what a project's consumers use
(from 1.9); from 1.38 keyed by consumer type, with the consumer count."""

from . import schemas
from .api import not_found, placement, placement_of, require_project_reader, respond
from .service import NOVA_CONSUMER_TYPE


@placement
async def total_usages(request):
    if request["placement_version"] < (1, 9):
        raise not_found("")
    q = request.query
    project_id = q.getall("project_id", [None])[-1]
    require_project_reader(request, "placement:usages", project_id)
    by_type = request["placement_version"] >= (1, 38)
    schemas.validate(q, schemas.USAGES_1_38 if by_type else schemas.USAGES_1_9)
    user_id = q.getall("user_id", [None])[-1]
    used, consumers = placement_of(request).project_usages(project_id, user_id)
    if not by_type:
        return respond(request, {"usages": used})
    wanted = q.getall("consumer_type", [None])[-1]
    # Nova's consumers have no type ("unknown"); "all" sums every type under one key.
    key = wanted if wanted in ("all", NOVA_CONSUMER_TYPE) else \
        NOVA_CONSUMER_TYPE if wanted is None else None
    usages = {}
    if key and used:
        group = usages[key] = {}
        for rc, amount in used.items():  # Placement's insertion order: count after the first
            group[rc] = amount
            group["consumer_count"] = consumers
    return respond(request, {"usages": usages})
