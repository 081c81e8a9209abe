"""The slow tick's look at the cloud's services: one list call each to Nova (os-services),
Neutron (agents) and Cinder (os-services, when the catalog has it), with the service
account, for the whole cloud. What changed since the last look (up/down, enabled/disabled,
reason) goes to every admin's open pages, with the summary line, at once; a service going
down reaches the page within one slow tick of Nova or Neutron saying so.

The last look is kept in Redis, so every worker sees the same one (per portal database:
two portals on one Redis each tell their own admins).
"""

import hashlib
import json
import logging
from datetime import UTC, datetime

from django.conf import settings

from portal.changes import publish_quietly
from portal.cloud import service_connection
from portal.redisconn import client

from . import fragments, selectors

log = logging.getLogger(__name__)


def _key() -> str:
    db = settings.DATABASES["default"]
    where = f"{db.get('HOST', '')}:{db.get('PORT', '')}:{db['NAME']}"
    return f"stackport:cloud:services:{hashlib.sha1(where.encode()).hexdigest()[:10]}"


def _state(service) -> list:
    return [service.up, service.enabled, service.disabled_reason, service.forced_down]


def look(conn=None) -> dict:
    listed = selectors.services(conn or service_connection())
    now = {s.key: _state(s) for s in listed}
    raw = client().get(_key())
    before = json.loads(raw) if raw else {}
    changed = [s for s in listed if before.get(s.key) != now[s.key]]
    client().set(_key(), json.dumps(now))
    as_of = datetime.now(UTC).strftime("%H:%M:%S UTC")
    html = "".join(fragments.service_cells(s) for s in changed)
    publish_quietly(None, html + fragments.summary(listed, as_of), kind="cloud.services",
                    to_admins=True)
    down = [s.key for s in listed if not s.up]
    if changed and before:
        log.info("cloud services changed: %s", ", ".join(
            f"{s.binary}@{s.host} {'up' if s.up else 'down'}" for s in changed))
    return {"services": len(listed), "changed": len(changed) if before else 0,
            "down": len(down)}
