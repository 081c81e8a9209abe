"""Reading from Neutron for pages: plain dicts, ownership checks.

List pages read Neutron's JSON as dicts through the openstacksdk proxy (the person's own
token, endpoint from the catalog) instead of building SDK Resource objects: a Resource
costs ~0.6 ms to build, so a 500-network page would spend a second on object creation.
"""

from django.http import Http404
from openstack import exceptions as os_exc

PAGE_SIZE = 50


def list_json(proxy, path: str, key: str, **params) -> list[dict]:
    """One GET of a Neutron/Nova collection. Repeated keys: pass a list
    (network_id=[a, b] → ?network_id=a&network_id=b)."""
    resp = proxy.get(path, params={k: v for k, v in params.items() if v is not None})
    os_exc.raise_from_response(resp)
    return resp.json()[key]


def get_json(proxy, path: str, key: str) -> dict | None:
    """One object, or None when the cloud says it does not exist."""
    resp = proxy.get(path)
    if resp.status_code == 404:
        return None
    os_exc.raise_from_response(resp)
    return resp.json()[key]


def page(proxy, path: str, key: str, marker: str | None, sort: str = "name",
         **params) -> tuple[list, str | None]:
    """One page sorted by `sort` (then id), and the marker of the next page (None on the
    last page). Neutron pages with limit/marker, so a page costs one call however many
    objects the project has."""
    rows = list_json(proxy, path, key, limit=PAGE_SIZE + 1, marker=marker or None,
                     sort_key=[sort, "id"], sort_dir=["asc", "asc"], **params)
    if len(rows) > PAGE_SIZE:
        return rows[:PAGE_SIZE], rows[PAGE_SIZE - 1]["id"]
    return rows, None


KINDS = {  # kind → (collection path, JSON key of one object)
    "network": ("/networks", "network"),
    "subnet": ("/subnets", "subnet"),
    "router": ("/routers", "router"),
    "floatingip": ("/floatingips", "floatingip"),
    "security_group": ("/security-groups", "security_group"),
    "port": ("/ports", "port"),
}


def owned(conn, kind: str, object_id: str, project_id: str) -> dict:
    """The object if it belongs to the project, else 404. An admin's token can read every
    project's objects, so the project is checked here, not left to the cloud's policy."""
    path, key = KINDS[kind]
    obj = get_json(conn.network, f"{path}/{object_id}", key)
    if obj is None or obj.get("project_id") != project_id:
        raise Http404(f"No such {kind.replace('_', ' ')} in this project.")
    return obj


def external(conn, pool_id: str) -> dict:
    """An external network (floating IP pool) by ID, whichever project owns it; 404
    for anything that is not a pool."""
    obj = get_json(conn.network, f"/networks/{pool_id}", "network")
    if obj is None or not obj.get("router:external"):
        raise Http404("No such floating IP pool.")
    return obj
