from django.urls import path

from .consumers import ConsoleRelayConsumer

websocket_urlpatterns = [
    path("ws/consoles/<str:ticket>/", ConsoleRelayConsumer.as_asgi()),
]
