"""WebSocket routes of every app (each app owns its own routing module)."""

from importlib import import_module

from django.urls import path

from .consumers import EventsConsumer

websocket_urlpatterns = [path("ws/events/", EventsConsumer.as_asgi())]

for app in ("consoles", "vms", "networks"):
    try:
        websocket_urlpatterns += import_module(f"{app}.routing").websocket_urlpatterns
    except ModuleNotFoundError:
        pass
