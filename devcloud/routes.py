"""Route tables: one helper for a REST resource's collection and item routes, one for a
version document served with and without the trailing slash, and the `public` mark.

Every service registers its routes through these, so a resource's table reads the same in
Keystone, Nova, Neutron and Glance.
"""

from aiohttp import web


def public(handler):
    """Mark a handler as reachable without a token (version documents, POST /v3/auth/tokens)."""
    handler.public = True
    return handler


def add_root(router: web.UrlDispatcher, path: str, handler) -> None:
    """A version document: real services answer both `/x` and `/x/`."""
    router.add_get(path, handler)
    router.add_get(f"{path}/", handler)


def add_resource(router: web.UrlDispatcher, path: str, *, list_=None, create=None, show=None,
                 update=None, delete=None, key: str = "id", update_method: str = "PUT") -> str:
    """GET/POST on the collection, GET/<update_method>/DELETE on `{path}/{key}`; returns the
    item path, for the resource's sub-routes."""
    item = f"{path}/{{{key}}}"
    for method, route, handler in (("GET", path, list_), ("POST", path, create),
                                   ("GET", item, show), (update_method, item, update),
                                   ("DELETE", item, delete)):
        if handler is None:
            continue
        if method == "GET":
            router.add_get(route, handler)  # and HEAD, as aiohttp's add_get does
        else:
            router.add_route(method, route, handler)
    return item
