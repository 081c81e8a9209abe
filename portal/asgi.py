"""ASGI entry point: HTTP to Django, WebSockets through session + Origin checks.

HTTP goes through StreamingASGIHandler: Django's own handler, except that a PUT to a view
marked @streams_body (the image upload) reads its body as it arrives instead of Django
buffering it whole in memory or a temporary file first (portal/streaming.py)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup(set_prefix=False)      # what django.core.asgi.get_asgi_application does

from .streaming import StreamingASGIHandler  # noqa: E402

django_asgi_app = StreamingASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402

from .routing import websocket_urlpatterns  # noqa: E402
from .wsguards import OriginGuard  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    # Origin must be one of ALLOWED_HOSTS: a page on another site cannot open our sockets.
    "websocket": OriginGuard(SessionMiddlewareStack(URLRouter(websocket_urlpatterns))),
})
