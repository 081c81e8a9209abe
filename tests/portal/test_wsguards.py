"""The one Origin check every WebSocket passes (portal.wsguards.same_origin)."""

import pytest

from portal.wsguards import same_origin


def scope(origin: str | None, host: str = "portal.example", scheme: str = "wss") -> dict:
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers}


@pytest.fixture(autouse=True)
def hosts(settings):
    settings.ALLOWED_HOSTS = ["portal.example", "127.0.0.1", "[::1]"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://portal.other.example"]


@pytest.mark.parametrize("origin, host, scheme, ok", [
    ("https://portal.example", "portal.example", "wss", True),
    ("https://portal.example:443", "portal.example", "wss", True),       # default port
    ("https://PORTAL.example", "portal.example:443", "wss", True),
    ("http://portal.example", "portal.example", "wss", False),           # scheme
    ("https://portal.example", "portal.example", "ws", False),
    ("https://portal.example:8443", "portal.example", "wss", False),     # port
    ("http://127.0.0.1:8411", "127.0.0.1:8410", "ws", False),
    ("http://127.0.0.1:8410", "127.0.0.1:8410", "ws", True),
    ("http://[::1]:8410", "[::1]:8410", "ws", True),
    ("https://evil.example", "evil.example", "wss", False),   # Host not allowed (rebinding)
    ("https://portal.other.example", "portal.example", "wss", True),   # trusted origin
    ("null", "portal.example", "wss", False),
    (None, "portal.example", "wss", False),
    ("https://portal.example/x", "portal.example", "wss", False),
    ("https://portal.example:99999", "portal.example", "wss", False),
])
def test_same_origin(origin, host, scheme, ok):
    assert same_origin(scope(origin, host, scheme)) is ok
