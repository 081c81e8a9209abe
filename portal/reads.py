"""The one read layer for raw JSON through openstacksdk's proxies, and the one
"this project's, or 404" check every app uses.

Why raw JSON: openstacksdk builds a Resource per object (attribute introspection, about
0.6 ms for a network and 7 ms for a server), which would make a 500-row page spend
seconds on object creation. The proxies still do auth, the catalog, version discovery
and microversion negotiation; only the Resource objects are skipped.

    get(proxy, path, params)              one answer, as a dict (errors raised as SDK's)
    find(proxy, path, key)                one object, or None when the cloud says 404
    collection(proxy, path, key, **q)     one list call; repeated keys as lists
    follow(proxy, path, key, params)      walk the `<key>_links` next links (Nova)
    page(proxy, path, key, marker, ...)   one sorted page and the next page's marker
    owned(obj, project_id, noun)          obj, if it is the project's; else Http404
"""

from django.http import Http404
from openstack import exceptions as os_exc

PAGE_SIZE = 50


def get(proxy, path: str, params=None, **kwargs) -> dict:
    resp = proxy.get(path, params=params, raise_exc=False, **kwargs)
    os_exc.raise_from_response(resp)
    return resp.json()


def find(proxy, path: str, key: str, **kwargs) -> dict | None:
    """One object, or None when the cloud says it does not exist."""
    resp = proxy.get(path, raise_exc=False, **kwargs)
    if resp.status_code == 404:
        return None
    os_exc.raise_from_response(resp)
    return resp.json()[key]


def collection(proxy, path: str, key: str, **params) -> list[dict]:
    """One GET of a collection. Repeated keys: pass a list (network_id=[a, b] →
    ?network_id=a&network_id=b); None values are left out."""
    return get(proxy, path, {k: v for k, v in params.items() if v is not None})[key]


def follow(proxy, path: str, key: str, params, **kwargs) -> list[dict]:
    """Every page of a collection, following Nova's `<key>_links` next links by marker
    (the poller, when more than Nova's max_limit objects changed at once)."""
    out, params = [], dict(params)
    while True:
        body = get(proxy, path, params, **kwargs)
        batch = body.get(key, [])
        out += batch
        links = [link for link in body.get(f"{key}_links", []) if link.get("rel") == "next"]
        if not (links and batch):
            return out
        params["marker"] = batch[-1]["id"]


def page(proxy, path: str, key: str, marker: str | None, sort: str = "name",
         size: int = PAGE_SIZE, **params) -> tuple[list, str | None]:
    """One page sorted by `sort` (then id), and the marker of the next page (None on the
    last page): one call however many objects the project has."""
    rows = collection(proxy, path, key, limit=size + 1, marker=marker or None,
                      sort_key=[sort, "id"], sort_dir=["asc", "asc"], **params)
    if len(rows) > size:
        return rows[:size], rows[size - 1]["id"]
    return rows, None


def project_of(obj) -> str | None:
    """The owning project of a dict from any service (Nova says tenant_id, Cinder its
    extension attributes) or of an openstacksdk Resource."""
    if isinstance(obj, dict):
        return (obj.get("project_id") or obj.get("tenant_id")
                or obj.get("os-vol-tenant-attr:tenant_id")
                or obj.get("os-extended-snapshot-attributes:project_id"))
    return getattr(obj, "project_id", None)


def owned(obj, project_id: str, noun: str):
    """`obj` if it belongs to `project_id`; Http404 for anything else, missing or not.
    An admin's token can read every project's objects, so the project is checked here
    rather than left to the cloud's policy; the answer never hints that it exists."""
    if obj is None or project_of(obj) != project_id:
        raise Http404(f"No such {noun} in this project.")
    return obj
