"""The console settings, read from Django settings or the environment (documented in
README "Configuration"), with defaults an operator can live with."""

import os

from django.conf import settings


def _setting(name: str, default, cast):
    if hasattr(settings, name):
        return cast(getattr(settings, name))
    return cast(os.environ.get(name, default))


def mode() -> str:
    """"proxy" (the cloud's console proxy WebSocket) or "direct" (raw TCP to the VNC/SPICE
    endpoint that the admin os-console-auth-tokens call resolves: service account only)."""
    value = _setting("PORTAL_CONSOLE_MODE", "proxy", str).strip().lower()
    return value if value in ("proxy", "direct") else "proxy"


def ticket_ttl() -> float:
    return _setting("PORTAL_CONSOLE_TICKET_TTL", "30", float)


def idle_timeout() -> float:
    """Seconds without a byte either way before a console session is closed."""
    return _setting("PORTAL_CONSOLE_IDLE_TIMEOUT", "900", float)


def max_sessions_per_user() -> int:
    return _setting("PORTAL_CONSOLE_MAX_PER_USER", "4", int)


def heartbeat() -> float:
    """Seconds between an open session's heartbeats (ConsoleSession.seen_at)."""
    return _setting("PORTAL_CONSOLE_HEARTBEAT", "30", float)


def lost_after() -> float:
    """An open session without a heartbeat for this long lost its web process: it no longer
    counts against the cap, and records.close_lost ends it."""
    return 3 * heartbeat()


def upstream_timeout() -> float:
    return _setting("PORTAL_CONSOLE_UPSTREAM_TIMEOUT", "10", float)
