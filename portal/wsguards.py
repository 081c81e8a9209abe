"""WebSocket refusals made before any consumer exists, so a refused socket never subscribes
to the channel layer.

channels' own OriginValidator (which also matched the host only, not scheme and port)
refuses through WebsocketDenier, a consumer that first
subscribes to the channel layer and then cancels that subscription. With channels-redis 4.3
and redis-py 8 such a cancelled subscription was seen to stay pending for good (a BZPOPMIN
holding a pooled Redis connection), one per refused socket; uvicorn's shutdown, which waits
for every task, hung on them.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host

REFUSED = 4403          # close before accept: the browser sees the handshake refused (403)
DEFAULT_PORTS = {"http": 80, "https": 443}
PAGE_SCHEME = {"ws": "http", "wss": "https"}   # the page's scheme for the socket's


async def refuse(receive, send, code: int = REFUSED) -> None:
    """Answer the handshake with a refusal (an HTTP 403 to the client)."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": code})


def _origin(scheme: str, netloc: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) with the default port filled in; None when malformed."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or scheme not in DEFAULT_PORTS:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def same_origin(scope) -> bool:
    """The page that opens a socket must be the portal's own: its Origin has the scheme,
    host and port the socket was opened on (the host one of ALLOWED_HOSTS), or is one of
    CSRF_TRUSTED_ORIGINS exactly. A host-only match let a page on another port or scheme
    of the same host (another service on 127.0.0.1) drive a logged-in person's sockets.

    Behind a TLS-terminating proxy the socket's scheme is wss only when uvicorn trusts the
    proxy's X-Forwarded-Proto (FORWARDED_ALLOW_IPS); else list the public origin in
    CSRF_TRUSTED_ORIGINS."""
    headers = dict(scope.get("headers", []))
    try:
        origin = headers.get(b"origin", b"").decode("latin1").strip()
        host = headers.get(b"host", b"").decode("latin1").strip()
    except UnicodeDecodeError:
        return False
    if not origin:
        return False
    if origin in getattr(settings, "CSRF_TRUSTED_ORIGINS", []):
        return True
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    socket_scheme = PAGE_SCHEME.get(scope.get("scheme", "ws"))
    if socket_scheme is None:
        return False
    page = urlsplit(origin)
    if page.path or page.query or page.fragment:
        return False
    expected = _origin(socket_scheme, host)
    return expected is not None and _origin(page.scheme, page.netloc) == expected


class OriginGuard:
    """Every WebSocket is refused unless it comes from the portal's own pages
    (same_origin), before any consumer exists."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("OriginGuard is for WebSocket connections")
        if not same_origin(scope):
            return await refuse(receive, send)
        return await self.application(scope, receive, send)
