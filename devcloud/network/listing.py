"""List semantics of the Neutron API: filters on any attribute (repeated = OR), fields=,
sort_key/sort_dir, limit/marker/page_reverse with <collection>_links.

Candidates come from an index when a filter allows it (ports by device_id or network_id,
floating IPs by port_id, subnets by network_id), so the portal's poller asking for the ports
of a page of servers never walks every port.
"""

from aiohttp import web

from .util import bad_request

PAGING = {"limit", "marker", "page_reverse", "sort_key", "sort_dir", "fields"}
TAG_FILTERS = {"tags", "tags-any", "not-tags", "not-tags-any"}
TRUE = {"true", "1", "yes"}


def _narrow(state, coll: str, filters: dict) -> list[str] | None:
    """Candidate ids from an index, or None when no indexed filter applies."""
    if coll == "ports" and "device_id" in filters:
        return [p for d in filters["device_id"] for p in state.ports_by_device.get(d, ())]
    if coll == "ports" and "network_id" in filters:
        return [p for n in filters["network_id"] for p in state.ports_by_network.get(n, ())]
    if coll == "floatingips" and "port_id" in filters and "" not in filters["port_id"]:
        return [f for p in filters["port_id"] for f in state.fips_by_port.get(p, ())]
    if coll == "subnets" and "network_id" in filters:
        nets = state["networks"]
        return [s for n in filters["network_id"] for s in nets.get(n, {}).get("subnets", ())]
    return None


def _matches_value(value, wanted: list[str]) -> bool:
    if isinstance(value, bool):
        return any((w.lower() in TRUE) == value for w in wanted)
    if isinstance(value, list):
        return any(v in wanted for v in value)
    if value is None:
        return "" in wanted or "None" in wanted
    return str(value) in wanted


def _matches_fixed_ips(port: dict, wanted: list[str]) -> bool:
    pairs: dict[str, set] = {}
    for item in wanted:
        key, _, val = item.partition("=")
        pairs.setdefault(key, set()).add(val)
    for ip in port["fixed_ips"]:
        ok = True
        for key, vals in pairs.items():
            if key == "ip_address_substr":
                ok = ok and any(v in ip["ip_address"] for v in vals)
            else:
                ok = ok and ip.get(key) in vals
        if ok:
            return True
    return False


def _matches_tags(tags: list, key: str, wanted: list[str]) -> bool:
    want = {t for w in wanted for t in w.split(",")}
    have = set(tags)
    return {"tags": want <= have, "tags-any": bool(want & have),
            "not-tags": not want <= have, "not-tags-any": not (want & have)}[key]


def matches(obj: dict, filters: dict) -> bool:
    for key, wanted in filters.items():
        if key in TAG_FILTERS:
            if not _matches_tags(obj.get("tags", []), key, wanted):
                return False
        elif key == "fixed_ips":
            if not _matches_fixed_ips(obj, wanted):
                return False
        elif not _matches_value(obj.get(key), wanted):
            return False
    return True


def parse_filters(query, allowed: set) -> dict:
    filters: dict[str, list[str]] = {}
    bad = []
    for key, value in query.items():
        if key in PAGING:
            continue
        if key not in allowed and key not in TAG_FILTERS:
            bad.append(key)
            continue
        filters.setdefault(key, []).append(value)
    if bad:
        raise bad_request(f"{bad} is invalid attribute for filtering")
    return filters


def _sort(items: list[dict], query, allowed: set) -> bool:
    keys = query.getall("sort_key", [])
    dirs = query.getall("sort_dir", [])
    bad_dirs = [d for d in dirs if d not in ("asc", "desc")]
    if bad_dirs:
        raise bad_request(f"{bad_dirs} is invalid value for sort_dirs, valid value is 'asc' and "
                          f"'desc'")
    if (dirs and len(dirs) != len(keys)) or any(k not in allowed for k in keys):
        raise bad_request("The number of sort_keys and sort_dirs must be same")
    dirs = dirs or ["asc"] * len(keys)
    # Neutron appends id so that paging has a total order.
    if "id" not in keys:
        keys, dirs = [*keys, "id"], [*dirs, dirs[0] if dirs else "asc"]
    for key, direction in reversed(list(zip(keys, dirs, strict=True))):
        items.sort(key=lambda o, k=key: (o.get(k) is not None, _sortable(o.get(k))),
                   reverse=direction == "desc")
    return True


def _sortable(value):
    if isinstance(value, (list, dict)):
        return str(value)
    return value if value is not None else ""


def _page(items: list[dict], query) -> tuple[list[dict], int | None, bool, bool]:
    limit = query.get("limit")
    try:
        limit = int(limit) if limit not in (None, "") else None
    except ValueError:
        raise bad_request(f"Invalid input for limit. Reason: '{limit}' is not an integer.") \
            from None
    if limit is not None and limit < 0:
        raise bad_request(f"Limit must be an integer 0 or greater and not '{limit}'")
    limit = limit or None
    reverse = query.get("page_reverse", "").lower() in TRUE
    marker = query.get("marker")
    index = next((i for i, o in enumerate(items) if o["id"] == marker), None) \
        if marker else None
    if reverse:
        end = index if index is not None else len(items)
        start = max(0, end - limit) if limit else 0
        return items[start:end], limit, reverse, bool(marker)
    start = index + 1 if index is not None else 0
    end = start + limit if limit else len(items)
    return items[start:end], limit, reverse, bool(marker)


def _links(request, key: str, page: list[dict], limit: int | None, reverse: bool) -> list:
    """Neutron's rule: 'next' unless a short forward page, 'previous' unless a short
    reverse page."""
    if not limit or not page:
        return []
    base = [(k, v) for k, v in request.query.items()
            if k not in ("limit", "marker", "page_reverse")]
    links = []
    if not (len(page) < limit and not reverse):
        q = [*base, ("limit", str(limit)), ("marker", page[-1]["id"])]
        links.append({"rel": "next", "href": str(request.url.with_query(q))})
    if not (len(page) < limit and reverse):
        q = [*base, ("limit", str(limit)), ("marker", page[0]["id"]), ("page_reverse", "True")]
        links.append({"rel": "previous", "href": str(request.url.with_query(q))})
    return links


def select_fields(obj: dict, fields: list[str]) -> dict:
    return {k: v for k, v in obj.items() if k in fields} if fields else obj


def list_response(request, state, coll: str, key: str, render, allowed: set,
                  extra_filter=None) -> web.Response:
    """The whole list call: visibility, filters, sort, page, render, fields, links."""
    ctx = request["ctx"]
    query = request.query
    filters = parse_filters(query, allowed)
    store = state[coll]
    candidates = _narrow(state, coll, filters)
    if candidates is None:
        objs = [store[i] for i in state.visible_ids(ctx, coll) if i in store]
    else:
        objs = [store[i] for i in dict.fromkeys(candidates) if i in store]
        objs = [o for o in objs if state.can_see(ctx, coll, o)]
    # Filter on what the caller would see (admin-only attributes are not filterable by others).
    items = [render(ctx, o) for o in objs]
    items = [o for o in items if matches(o, filters)]
    if extra_filter:
        items = [o for o in items if extra_filter(o)]
    paged = any(k in query for k in ("limit", "marker", "sort_key", "page_reverse"))
    limit, reverse = None, False
    if paged:
        _sort(items, query, allowed | {"id"})
        items, limit, reverse, _ = _page(items, query)
    fields = query.getall("fields", [])
    body = {key: [select_fields(o, fields) for o in items]}
    links = _links(request, key, items, limit, reverse)
    if links:
        body[f"{key}_links"] = links
    return web.json_response(body)
