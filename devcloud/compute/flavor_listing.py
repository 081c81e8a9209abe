"""GET /flavors and /flavors/detail: which flavors a caller lists, Nova's filters, sort
and paging (nova/api/openstack/compute/flavors.py, objects/flavor.py), checked against
Nova 34.

    member   the public flavors and the private ones given to the project (is_public ignored)
    admin    ?is_public= absent or true: the same; false: the private ones; none: all
"""

from urllib.parse import urlencode

from ..errors import CloudError
from .api import base, invalid_query
from .flavor_schema import is_public_filter

MAX_LIMIT = 1000  # Nova's [api] max_limit
SORT_KEYS = ["created_at", "description", "disabled", "ephemeral_gb", "flavorid", "id",
             "is_public", "memory_mb", "name", "root_gb", "rxtx_factor", "swap",
             "updated_at", "vcpu_weight", "vcpus"]
# Nova's column → devcloud's field; the rest (times, row id, vcpu_weight) follow the
# order the flavors were made in
FIELDS = {"flavorid": "id", "memory_mb": "ram", "root_gb": "disk",
          "ephemeral_gb": "ephemeral", "vcpus": "vcpus", "name": "name", "swap": "swap",
          "rxtx_factor": "rxtx_factor", "is_public": "is_public",
          "description": "description", "disabled": "disabled"}


def _one(query, name: str) -> str | None:
    values = query.getall(name, [])
    return values[-1] if values else None


def _limit(query) -> int:
    raw = _one(query, "limit")
    if raw is None:
        return MAX_LIMIT
    if raw == "":
        raise invalid_query("limit", raw, "'' should be non-empty")
    if not raw.isdigit():
        raise invalid_query("limit", raw, f"'{raw}' does not match '^[0-9]*$'")
    return min(int(raw), MAX_LIMIT)


def _enum(query, name: str, allowed: list[str], default: str) -> str:
    raw = _one(query, name)
    if raw is None:
        return default
    if raw not in allowed:
        raise invalid_query(name, raw, f"'{raw}' is not one of {allowed!r}")
    return raw


def _minimum(query, name: str) -> int | None:
    raw = _one(query, name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise CloudError(400, f"Invalid {name} filter [{raw}]") from None


def _listed(ctx, flavor: dict, is_public: bool | None) -> bool:
    given = ctx.project_id in flavor.get("projects", ())
    if is_public is None:
        return True
    if is_public:
        return flavor["is_public"] or given
    return not flavor["is_public"]


def _sort_key(key: str):
    field = FIELDS.get(key)

    def value(f: dict):
        v = f.get(field) if field else None
        if isinstance(v, str):
            v = v.casefold()  # MySQL's case-insensitive collation
        return (v is not None, v if v is not None else 0, f.get("db_id", 0))
    return value if field else (lambda f: (True, f.get("db_id", 0), f.get("db_id", 0)))


def select(request, store, path: str) -> tuple[list[dict], dict]:
    """One page of the flavors the caller lists, and the `flavors_links` Nova adds when
    the page is full."""
    q, ctx = request.query, request["ctx"]
    limit = _limit(q)
    sort_key = _enum(q, "sort_key", SORT_KEYS, "flavorid")
    sort_dir = _enum(q, "sort_dir", ["asc", "desc"], "asc")
    is_public = is_public_filter(_one(q, "is_public")) if ctx.is_admin else True
    min_ram, min_disk = _minimum(q, "minRam"), _minimum(q, "minDisk")
    flavors = [f for f in store["flavors"].values()
               if _listed(ctx, f, is_public)
               and (min_ram is None or f["ram"] >= min_ram)
               and (min_disk is None or f["disk"] >= min_disk)]
    key, descending = _sort_key(sort_key), sort_dir == "desc"
    flavors.sort(key=key, reverse=descending)
    marker = _one(q, "marker")
    if marker is not None:
        # a flavor the caller may see, filters aside; the page starts after its place in
        # the sort order (then the row id), as Nova's paginate_query does
        seen = next((f for f in store["flavors"].values()
                     if f["id"].casefold() == marker.casefold()
                     and _listed(ctx, f, None if ctx.is_admin else True)), None)
        if seen is None:
            raise CloudError(400, f"marker [{marker}] not found")
        after = key(seen)
        flavors = [f for f in flavors if (key(f) < after if descending else key(f) > after)]
    page = flavors[:limit]
    links = {}
    if page and len(page) == limit:
        params = sorted((k, v) for k, v in q.items() if k != "marker")  # as Nova sorts them
        params.append(("marker", page[-1]["id"]))
        links["flavors_links"] = [{"rel": "next",
                                   "href": f"{base(request)}/v2.1/{path}?{urlencode(params)}"}]
    return page, links
