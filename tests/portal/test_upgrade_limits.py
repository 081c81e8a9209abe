"""A WebSocket upgrade the server will not take is answered and closed, not left hanging:
a raw socket sends what a browser could (a 9 KB request line, 9 KB of headers)."""

import base64
import os
import socket
import time
from urllib.parse import urlsplit

import pytest


def upgrade(portal, path: str, extra: str = "") -> bytes:
    host = urlsplit(portal.url).netloc
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {portal.url}\r\n{extra}\r\n").encode()


def answer_and_close(portal, request: bytes, within: float = 2.0) -> tuple[bytes, bool]:
    """What the server sent back within `within` seconds, and whether it closed."""
    host, port = urlsplit(portal.url).hostname, urlsplit(portal.url).port
    got = b""
    with socket.create_connection((host, port), timeout=within) as s:
        s.sendall(request)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                return got, False
            if not chunk:
                return got, True
            got += chunk
    return got, False


@pytest.mark.parametrize("path, extra, status", [
    ("/ws/events/?q=" + "a" * 9000, "", b"414"),
    ("/ws/events/", "X-Big: " + "b" * 9000 + "\r\n", b"431"),
], ids=["request-line", "header-line"])
def test_oversized_upgrade_is_answered_and_closed(live_portal, path, extra, status):
    got, closed = answer_and_close(live_portal, upgrade(live_portal, path, extra))
    assert got.startswith(b"HTTP/1.1 " + status), got[:200]
    assert closed, "the connection stayed open"


def test_ordinary_upgrade_still_gets_its_answer(live_portal):
    """No session: the usual refusal (403), at once."""
    got, _ = answer_and_close(live_portal, upgrade(live_portal, "/ws/events/"))
    assert got.startswith(b"HTTP/1.1 403"), got[:200]
