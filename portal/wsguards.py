"""WebSocket refusals made before any consumer exists, so a refused socket never subscribes
to the channel layer.

channels' own OriginValidator refuses through WebsocketDenier, a consumer that first
subscribes to the channel layer and then cancels that subscription. With channels-redis 4.3
and redis-py 8 such a cancelled subscription was seen to stay pending for good (a BZPOPMIN
holding a pooled Redis connection), one per refused socket; uvicorn's shutdown, which waits
for every task, hung on them.
"""

from urllib.parse import urlparse

from channels.security.websocket import OriginValidator
from django.conf import settings

REFUSED = 4403          # close before accept: the browser sees the handshake refused (403)


async def refuse(receive, send, code: int = REFUSED) -> None:
    """Answer the handshake with a refusal (an HTTP 403 to the client)."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": code})


def origin_of(scope):
    for name, value in scope.get("headers", []):
        if name == b"origin":
            try:
                return urlparse(value.decode("latin1"))
            except UnicodeDecodeError:
                return None
    return None


class OriginGuard(OriginValidator):
    """Origin must be one of ALLOWED_HOSTS (channels' matching rules): a page on another
    site cannot open our sockets."""

    def __init__(self, application):
        super().__init__(application, settings.ALLOWED_HOSTS)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("OriginGuard is for WebSocket connections")
        if not self.valid_origin(origin_of(scope)):
            return await refuse(receive, send)
        return await self.application(scope, receive, send)
