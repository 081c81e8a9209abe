"""Image names by id, cached in Redis: the list page and the poller show image names
without one Glance call per row (at most one batched call for the ids not yet known).
With Redis down the names come from that one batched call for every id: slower, never
an error page."""

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

TTL = 3600
UNKNOWN = "—"


def _key(image_id: str) -> str:
    return f"vms:image-name:{image_id}"


def image_names(conn, ids) -> dict[str, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    try:
        known = {k.rsplit(":", 1)[1]: v
                 for k, v in cache.get_many([_key(i) for i in ids]).items()}
        cached = True
    except (RedisError, OSError) as exc:
        log.warning("image name cache unavailable: %s", exc)
        known, cached = {}, False
    missing = ids - known.keys()
    if missing:
        found = {img.id: img.name or img.id
                 for img in conn.image.images(id="in:" + ",".join(sorted(missing)))}
        # An image deleted since the server was built still gets a name, so it is not
        # asked for again on every page.
        fetched = {i: found.get(i, UNKNOWN) for i in missing}
        if cached:
            try:
                cache.set_many({_key(i): n for i, n in fetched.items()}, TTL)
            except (RedisError, OSError) as exc:
                log.warning("image names not cached: %s", exc)
        known.update(fetched)
    return known
