"""ASGI entry point: HTTP to Django, WebSockets through session + Origin checks."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402

from .routing import websocket_urlpatterns  # noqa: E402
from .wsguards import OriginGuard  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    # Origin must be one of ALLOWED_HOSTS: a page on another site cannot open our sockets.
    "websocket": OriginGuard(SessionMiddlewareStack(URLRouter(websocket_urlpatterns))),
})
