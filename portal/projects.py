"""Keystone's projects for the admin pages (names in lists, a project typed by name): one
`GET /v3/projects` with the admin's token, kept in the cache for a few minutes, so a list
page costs no Keystone call once it is warm.

    projects(actor, wanted=())   [{"id", "name", "domain_id"}], sorted by name; asked again
                                 when an id in `wanted` is unknown (a project made since),
                                 at most every RECHECK seconds (a project since deleted)
    names(actor, wanted=())      {id: name}
"""

import logging
import time

from django.core.cache import cache
from redis.exceptions import RedisError

from .reads import collection

log = logging.getLogger(__name__)

KEY = "portal:keystone-projects"
TTL = 300
RECHECK = 30


def _cached():
    try:
        return cache.get(KEY)
    except (RedisError, OSError) as exc:  # the cache is a nicety: ask Keystone instead
        log.warning("project cache unavailable: %s", exc)
        return None


def projects(actor, wanted=()) -> list[dict]:
    kept = _cached()
    if kept is not None:
        known = {p["id"] for p in kept["projects"]}
        fresh = time.time() - kept["at"] < RECHECK
        if fresh or all(w in known for w in wanted if w):
            return kept["projects"]
    found = sorted(({"id": p["id"], "name": p["name"], "domain_id": p.get("domain_id", "")}
                    for p in collection(actor.conn.identity, "/projects", "projects")),
                   key=lambda p: (p["name"].casefold(), p["id"]))
    try:
        cache.set(KEY, {"projects": found, "at": time.time()}, TTL)
    except (RedisError, OSError) as exc:
        log.warning("projects not cached: %s", exc)
    return found


def names(actor, wanted=()) -> dict[str, str]:
    return {p["id"]: p["name"] for p in projects(actor, wanted)}


def forget() -> None:
    """After a project was made or deleted through the portal (and in tests)."""
    try:
        cache.delete(KEY)
    except (RedisError, OSError):
        pass
