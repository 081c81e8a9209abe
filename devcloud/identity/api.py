"""What every Keystone handler shares: the service object, links, policy, list bodies."""

from aiohttp import web

from ..cloud import cloud_of
from ..errors import CloudError


def identity_of(request):
    return cloud_of(request).services["identity"]


def link(request, path: str) -> str:
    return f"{cloud_of(request).base_url}{path}"


def collection(request, key: str, items: list, path: str) -> web.Response:
    """A Keystone list: the items and the collection's links (devcloud never pages)."""
    return web.json_response({key: items, "links": {
        "self": link(request, path), "previous": None, "next": None}})


def project_view(request, p: dict) -> dict:
    return {**p, "links": {"self": link(request, f"/v3/projects/{p['id']}")}}


def user_view(request, u: dict) -> dict:
    view = {k: v for k, v in u.items() if k != "password"}
    return {**view, "links": {"self": link(request, f"/v3/users/{u['id']}")}}


def refused(action: str) -> CloudError:
    return CloudError(403, "You are not authorized to perform the requested action: "
                           f"{action}.")


def require_admin(request, action: str) -> None:
    if not request["ctx"].is_admin:
        raise refused(action)


def by_name(request, items):
    """The `?name=` filter every Keystone list takes."""
    if "name" in request.query:
        return [i for i in items if i["name"] == request.query["name"]]
    return list(items)
