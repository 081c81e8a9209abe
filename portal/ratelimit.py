"""Slow down repeated failed logins, per user name + client address (Django's cache)."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _key(username: str, address: str | None) -> str:
    digest = hashlib.sha256(f"{username.lower()}|{address}".encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def wait_seconds(username: str, address: str | None) -> int:
    """Seconds this pair must wait before trying again (0 when it may try now)."""
    state = cache.get(_key(username, address))
    if not state or state["count"] < settings.LOGIN_FAILURE_LIMIT:
        return 0
    return max(0, int(state["locked_until"] - time.time()))


def failed(username: str, address: str | None) -> None:
    key = _key(username, address)
    state = cache.get(key) or {"count": 0, "locked_until": 0}
    state["count"] += 1
    if state["count"] >= settings.LOGIN_FAILURE_LIMIT:
        # Each failure past the limit doubles the wait, so guessing stays slow.
        over = state["count"] - settings.LOGIN_FAILURE_LIMIT
        state["locked_until"] = time.time() + settings.LOGIN_LOCKOUT * (2 ** min(over, 6))
    cache.set(key, state, timeout=settings.LOGIN_FAILURE_WINDOW)


def succeeded(username: str, address: str | None) -> None:
    cache.delete(_key(username, address))
