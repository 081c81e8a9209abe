"""Error responses shaped as each real service shapes them.

Keystone: {"error": {"code", "message", "title"}}
Nova:     {"itemNotFound"|"badRequest"|"forbidden"|"conflictingRequest"|...: {"code", "message"}}
Neutron:  {"NeutronError": {"type", "message", "detail"}}
Glance:   webob's plain HTML error page.
Placement: {"errors": [{"status", "title", "detail", ["code",] "request_id"}]} (API-WG), and
          keystonemiddleware's {"error": {"code", "title", "message"}} for a missing token.
"""

import json
import uuid

from aiohttp import web

KEYSTONE_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
                   404: "Not Found", 409: "Conflict", 500: "Internal Server Error",
                   503: "Service Unavailable"}
NOVA_KEYS = {400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
             405: "HTTPMethodNotAllowed", 409: "conflictingRequest", 413: "overLimit",
             500: "computeFault", 501: "notImplemented", 503: "serviceUnavailable"}
# webob's titles and explanations, which Placement's error details start with.
WEBOB = {400: ("Bad Request", "The server could not comply with the request since it is "
                              "either malformed or otherwise incorrect."),
         403: ("Forbidden", "Access was denied to this resource."),
         404: ("Not Found", "The resource could not be found."),
         405: ("Method Not Allowed", "The method specified is not allowed for this resource."),
         406: ("Not Acceptable", "The server could not comply with the request since it is "
                                 "either malformed or otherwise incorrect."),
         409: ("Conflict", "There was a conflict when trying to complete your request."),
         500: ("Internal Server Error", "The server has either erred or is incapable of "
                                        "performing the requested operation."),
         503: ("Service Unavailable", "The server is currently unavailable. Please try again "
                                      "at a later time.")}
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
        self.headers: dict[str, str] = {}  # extra response headers (e.g. a 405's Allow)


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
    if service == "placement":
        return placement_response(err, f"req-{uuid.uuid4()}")
    title = GLANCE_TITLES.get(status, "Error")
    html = (f"<html>\n <head>\n  <title>{status} {title}</title>\n </head>\n <body>\n"
            f"  <h1>{status} {title}</h1>\n  {err.message}<br /><br />\n\n\n\n </body>\n</html>")
    return web.Response(text=html, status=status, content_type="text/html")


def placement_detail(status: int, message: str) -> str:
    """webob's plain-text error as Placement sends it: the explanation, a blank line, the
    message with its newlines flattened."""
    return f"{WEBOB[status][1]}\n\n {message.replace(chr(10), ' ')}  "


def placement_error(status: int, detail: str, request_id: str, code: bool = False) -> dict:
    error = {"status": status, "title": WEBOB.get(status, ("Error", ""))[0], "detail": detail}
    if code:  # from microversion 1.23
        error["code"] = "placement.undefined_code"
    error["request_id"] = request_id
    return {"errors": [error]}


def placement_response(err: CloudError, request_id: str, code: bool = False) -> web.Response:
    if err.status == 401:  # keystonemiddleware answers before Placement does
        body = {"error": {"code": 401, "title": "Unauthorized", "message": err.message}}
    else:
        # err.detail, when given, is the whole detail text (406 and 405 word theirs apart).
        detail = err.detail or placement_detail(err.status, err.message)
        body = placement_error(err.status, detail, request_id, code)
    return web.Response(body=json.dumps(body).encode(), status=err.status,
                        content_type="application/json",
                        headers={**err.headers, "x-openstack-request-id": request_id})


# Shorthands used by handlers.
def not_found(message: str, kind: str | None = None) -> CloudError:
    return CloudError(404, message, kind)


def bad_request(message: str, kind: str | None = None) -> CloudError:
    return CloudError(400, message, kind)


def forbidden(message: str, kind: str | None = None) -> CloudError:
    return CloudError(403, message, kind)


def conflict(message: str, kind: str | None = None) -> CloudError:
    return CloudError(409, message, kind)
