"""What the overview page shows: the project's usage against its quotas (2 calls,
made concurrently, by the usage fragment the landing page loads once it is shown).
A service that fails is shown as unavailable, with its reason."""

import logging

from openstack import exceptions as os_exc

from .cloud import gather

log = logging.getLogger(__name__)

NETWORK_QUOTAS = [("networks", "Networks"), ("subnets", "Subnets"), ("ports", "Ports"),
                  ("routers", "Routers"), ("floating_ips", "Floating IPs"),
                  ("security_groups", "Security groups")]


def _compute_usage(conn) -> dict:
    a = conn.compute.get_limits().absolute
    return {"Instances": (a.instances_used, a.instances),
            "vCPUs": (a.total_cores_used, a.total_cores),
            "RAM (MiB)": (a.total_ram_used, a.total_ram)}


def _network_usage(conn, project_id: str) -> dict:
    q = conn.network.get_quota(project_id, details=True)
    return {label: (getattr(q, attr)["used"], getattr(q, attr)["limit"])
            for attr, label in NETWORK_QUOTAS if getattr(q, attr, None)}


def _bars(usage: dict) -> list[dict]:
    bars = []
    for label, (used, limit) in usage.items():
        unlimited = limit is None or limit < 0
        pct = 0 if unlimited or not limit else min(100, round(100 * used / limit))
        bars.append({"label": label, "used": used, "limit": "∞" if unlimited else limit,
                     "pct": pct, "full": not unlimited and used >= limit})
    return bars


def _section(fn):
    """Run one section's calls; an API refusal becomes a message, not a broken page.
    (401 and unreachable clouds propagate: the middleware handles those for every page.)"""

    def run():
        try:
            return {"bars": _bars(fn()), "error": None}
        except os_exc.HttpException as exc:
            if exc.status_code == 401:
                raise
            log.warning("overview section failed: %s", exc)
            return {"bars": [], "error": f"Not available: {exc.details or exc.message}"}

    return run


def overview(actor) -> dict:
    conn, project_id = actor.conn, actor.project_id
    return gather(compute=_section(lambda: _compute_usage(conn)),
                  network=_section(lambda: _network_usage(conn, project_id)))
