"""Error responses shaped as each real service shapes them.

Keystone: {"error": {"code", "message", "title"}}
Nova:     {"itemNotFound"|"badRequest"|"forbidden"|"conflictingRequest"|...: {"code", "message"}}
Neutron:  {"NeutronError": {"type", "message", "detail"}}
Glance:   webob's plain HTML error page.
"""

from aiohttp import web

KEYSTONE_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
                   404: "Not Found", 409: "Conflict", 500: "Internal Server Error",
                   503: "Service Unavailable"}
NOVA_KEYS = {400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
             405: "HTTPMethodNotAllowed", 409: "conflictingRequest", 413: "overLimit",
             500: "computeFault", 501: "notImplemented", 503: "serviceUnavailable"}
GLANCE_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                 409: "Conflict", 500: "Internal Server Error", 503: "Service Unavailable"}


class CloudError(Exception):
    """Raised by handlers; the middleware renders it in the service's own shape."""

    def __init__(self, status: int, message: str, kind: str | None = None, detail: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind  # Neutron's "type" (e.g. NetworkNotFound); Nova key override
        self.detail = detail


def render(service: str, err: CloudError) -> web.Response:
    status = err.status
    if service == "identity":
        body = {"error": {"code": status, "message": err.message,
                          "title": KEYSTONE_TITLES.get(status, "Error")}}
        return web.json_response(body, status=status)
    if service == "compute":
        key = err.kind or NOVA_KEYS.get(status, "computeFault")
        return web.json_response({key: {"code": status, "message": err.message}}, status=status)
    if service == "network":
        body = {"NeutronError": {"type": err.kind or "HTTPError", "message": err.message,
                                 "detail": err.detail}}
        return web.json_response(body, status=status)
    title = GLANCE_TITLES.get(status, "Error")
    html = (f"<html>\n <head>\n  <title>{status} {title}</title>\n </head>\n <body>\n"
            f"  <h1>{status} {title}</h1>\n  {err.message}<br /><br />\n\n\n\n </body>\n</html>")
    return web.Response(text=html, status=status, content_type="text/html")


# Shorthands used by handlers.
def not_found(message: str, kind: str | None = None) -> CloudError:
    return CloudError(404, message, kind)


def bad_request(message: str, kind: str | None = None) -> CloudError:
    return CloudError(400, message, kind)


def forbidden(message: str, kind: str | None = None) -> CloudError:
    return CloudError(403, message, kind)


def conflict(message: str, kind: str | None = None) -> CloudError:
    return CloudError(409, message, kind)
