"""What a load balancer or an orchestrator asks a web process: is it alive, can it serve.

    /healthz   alive: the process answers (no database, Redis or cloud call), 200
    /readyz    ready: the database answers, every migration is applied, every Redis role
               answers and Keystone answers; 200 with each check's "ok", else 503 with
               what failed (JSON either way)

Both are answered by `portal.probes.ProbeMiddleware` before host validation and the HTTPS
redirect, so a probe that connects to the container's own address gets an answer.
Keystone is asked at most once every KEYSTONE_TTL seconds per process (three balancers
probing every second must not become three Keystone requests a second per process).
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from . import redisconn

KEYSTONE_TTL = 5.0
KEYSTONE_TIMEOUT = 3.0
OK = "ok"

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")
_migrated = False                # once everything is applied, it stays so for this code
_keystone_lock = threading.Lock()
_keystone_seen: tuple[float, str] | None = None


def database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def migrations() -> str:
    """Every migration of the code this process runs is applied (a web started before the
    migrate job finished is not ready)."""
    global _migrated
    if _migrated:
        return OK
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:3])
        return f"{len(plan)} migration(s) not applied ({names}{', …' if len(plan) > 3 else ''})"
    _migrated = True
    return OK


def redis_roles() -> str:
    """Each distinct Redis URL the roles use (broker, channel layer, cache, locks) PINGs."""
    failed = []
    for role, url in settings.REDIS_ROLES.items():
        try:
            redisconn.for_url(url).ping()
        except redis.RedisError as exc:
            failed.append(f"{role}: {exc}")
    return "; ".join(failed) or OK


def keystone() -> str:
    """Keystone's version document answers (no token, no auth): the login would work."""
    global _keystone_seen
    now = time.monotonic()
    with _keystone_lock:
        if _keystone_seen and now - _keystone_seen[0] < KEYSTONE_TTL:
            return _keystone_seen[1]
    from .cloud import keystone_session

    try:
        resp = keystone_session().get(settings.KEYSTONE_URL, authenticated=False,
                                      raise_exc=False, timeout=KEYSTONE_TIMEOUT)
        said = OK if resp.status_code < 500 else f"HTTP {resp.status_code}"
    except Exception as exc:  # noqa: BLE001 - any failure to answer is "not ready"
        said = f"{type(exc).__name__}: {exc}"
    with _keystone_lock:
        _keystone_seen = (time.monotonic(), said)
    return said


def _guarded(check) -> str:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - a failing check is an answer, not a 500
        return f"{type(exc).__name__}: {exc}"


def readiness() -> dict[str, str]:
    """Every check's answer, "ok" or what went wrong. Keystone and Redis are asked in
    threads while the database is asked here (this thread's connection is the request's:
    it goes back at the request's end)."""
    remote = {"redis": _pool.submit(_guarded, redis_roles),
              "keystone": _pool.submit(_guarded, keystone)}
    checks = {"database": _guarded(database)}
    checks["migrations"] = _guarded(migrations) if checks["database"] == OK else "not checked"
    checks.update({name: future.result() for name, future in remote.items()})
    return checks


def forget() -> None:
    """Tests: the next readiness asks everything again."""
    global _migrated, _keystone_seen
    _migrated = False
    with _keystone_lock:
        _keystone_seen = None
    redisconn.forget_probes()
