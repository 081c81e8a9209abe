"""Error responses shaped as each real service shapes them.

Keystone: {"error": {"code", "message", "title"}}
Cinder:   Nova's shape (413: "overLimit" with "retryAfter"), keystonemiddleware's 401.
Nova:     {"itemNotFound"|"badRequest"|"forbidden"|"conflictingRequest"|...: {"code", "message"}}
Neutron:  {"NeutronError": {"type", "message", "detail"}}
Glance:   webob's error page in the form the Accept header asks for: HTML (no Accept,
          */*, text/html), JSON (application/json), plain text (anything else, as the
          empty Accept openstacksdk's image upload sends).
Placement: {"errors": [{"status", "title", "detail", ["code",] "request_id"}]} (API-WG), and
          keystonemiddleware's {"error": {"code", "title", "message"}} for a missing token.
"""

import html as html_lib
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
                 409: "Conflict", 410: "Gone", 413: "Request Entity Too Large",
                 415: "Unsupported Media Type", 500: "Internal Server Error",
                 503: "Service Unavailable"}


class CloudError(Exception):
    """Raised by handlers; the middleware renders it in the service's own shape."""

    def __init__(self, status: int, message: str, kind: str | None = None, detail: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind  # Neutron's "type" (e.g. NetworkNotFound); Nova key override
        self.detail = detail
        self.headers: dict[str, str] = {}  # extra response headers (e.g. a 405's Allow)


def glance_format(accept: str | None) -> str:
    """webob's pick among text/html, application/json and text/plain (its fallback): no
    Accept header takes the first offer, an empty one none."""
    if accept is None:
        return "html"
    offered = [part.split(";")[0].strip() for part in accept.split(",")]
    if any(a in ("text/html", "text/*", "*/*") for a in offered):
        return "html"
    if "application/json" in offered:
        return "json"
    return "plain"


def glance_page(status: int, explanation: str, accept: str | None,
                detail: str = "") -> web.Response:
    """webob's error page as Glance sends it. `explanation` is HTML (escaped as webob
    escapes it); a `detail` follows it as webob lays details out (a 415's)."""
    title = GLANCE_TITLES.get(status, "Error")
    kind = glance_format(accept)
    if kind == "json":
        message = (f"{html_lib.unescape(explanation)}\n<br /><br />\n{detail}" if detail
                   else f"{html_lib.unescape(explanation)}<br /><br />\n\n\n")
        return web.json_response({"message": message, "code": f"{status} {title}",
                                  "title": title}, status=status)
    if kind == "plain":
        text = (f"{status} {title}\n\n{html_lib.unescape(explanation)} \n\n {detail}" if detail
                else f"{status} {title}\n\n{html_lib.unescape(explanation)}\n\n   ")
        return web.Response(text=text, status=status, content_type="text/plain")
    body = (f"{explanation}\n<br /><br />\n{detail}\n" if detail
            else f"{explanation}<br /><br />\n\n\n\n")
    page = (f"<html>\n <head>\n  <title>{status} {title}</title>\n </head>\n <body>\n"
            f"  <h1>{status} {title}</h1>\n  {body} </body>\n</html>")
    return web.Response(text=page, status=status, content_type="text/html")


def render(service: str, err: CloudError, accept: str | None = None) -> web.Response:
    status = err.status
    if service == "identity":
        body = {"error": {"code": status, "message": err.message,
                          "title": KEYSTONE_TITLES.get(status, "Error")}}
        return web.json_response(body, status=status)
    if service == "volume":  # Cinder: Nova's fault shape; keystonemiddleware's 401
        if status == 401:
            body = {"error": {"code": 401, "title": "Unauthorized", "message": err.message}}
            return web.json_response(body, status=401)
        if status == 413:
            body = {"overLimit": {"code": 413, "message": err.message, "retryAfter": "0"}}
            return web.json_response(body, status=413)
        service = "compute"
    if service == "compute":
        key = err.kind or NOVA_KEYS.get(status, "computeFault")
        return web.json_response({key: {"code": status, "message": err.message}}, status=status)
    if service == "network":
        body = {"NeutronError": {"type": err.kind or "HTTPError", "message": err.message,
                                 "detail": err.detail}}
        return web.json_response(body, status=status)
    if service == "placement":
        return placement_response(err, f"req-{uuid.uuid4()}")
    return glance_page(status, err.message, accept)


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
