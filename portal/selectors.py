"""What the overview page shows: every quota of the project as a usage bar, from the few
calls it needs, made concurrently by the usage fragment the landing page loads once shown:

    Nova     /limits (instances, vCPUs, RAM; the key pair limit) and the person's key pairs
             (key pairs belong to a user: Nova counts them per user, not per project)
    Neutron  /quotas/{project}/details (networks, subnets, ports, routers, floating IPs,
             security groups and their rules)
    Cinder   /os-quota-sets/{project}?usage=True (volumes, gigabytes), when the catalog has it

A service that fails is shown as unavailable, with its reason."""

import logging

from openstack import exceptions as os_exc

from . import reads
from .catalog import has_block_storage
from .cloud import gather

log = logging.getLogger(__name__)

NETWORK_QUOTAS = [("networks", "Networks"), ("subnets", "Subnets"), ("ports", "Ports"),
                  ("routers", "Routers"), ("floating_ips", "Floating IPs"),
                  ("security_groups", "Security groups"),
                  ("security_group_rules", "Security group rules")]
VOLUME_QUOTAS = [("volumes", "Volumes"), ("gigabytes", "Volume storage (GB)")]


def _limits(conn) -> dict:
    return reads.get(conn.compute, "/limits")["limits"]["absolute"]


def _keypairs(conn) -> int:
    return len(reads.get(conn.compute, "/os-keypairs")["keypairs"])


def _compute_usage(a: dict, keypairs: int) -> dict:
    return {"Instances": (a["totalInstancesUsed"], a["maxTotalInstances"]),
            "vCPUs": (a["totalCoresUsed"], a["maxTotalCores"]),
            "RAM (MiB)": (a["totalRAMUsed"], a["maxTotalRAMSize"]),
            "Key pairs (yours)": (keypairs, a["maxTotalKeypairs"])}


def _volume_usage(conn, project_id: str) -> dict:
    q = reads.get(conn.block_storage, f"/os-quota-sets/{project_id}",
                  {"usage": "True"})["quota_set"]
    return {label: (q[key]["in_use"], q[key]["limit"]) for key, label in VOLUME_QUOTAS
            if key in q}


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


def _answer(fn):
    """One call's answer, or the refusal in words (not a broken page). A 401 and a cloud
    that does not answer propagate: the middleware handles those for every page."""

    def run():
        try:
            return fn(), None
        except os_exc.HttpException as exc:
            if exc.status_code == 401:
                raise
            log.warning("overview call failed: %s", exc)
            return None, f"Not available: {exc.details or exc.message}"

    return run


def _section(answer) -> dict:
    usage, error = answer
    return {"bars": _bars(usage) if error is None else [], "error": error}


def overview(actor) -> dict:
    conn, project_id = actor.conn, actor.project_id
    calls = {"limits": lambda: _limits(conn), "keypairs": lambda: _keypairs(conn),
             "network": lambda: _network_usage(conn, project_id)}
    if has_block_storage(conn):
        calls["volume"] = lambda: _volume_usage(conn, project_id)
    found = gather(**{name: _answer(fn) for name, fn in calls.items()})
    (limits, error), (keypairs, kp_error) = found.pop("limits"), found.pop("keypairs")
    if error is None:
        compute = _section((_compute_usage(limits, keypairs or 0), None))
        if kp_error:   # the limits came, the key pairs did not: say so, keep the rest
            compute["bars"] = [b for b in compute["bars"] if b["label"] != "Key pairs (yours)"]
            compute["error"] = kp_error
    else:
        compute = {"bars": [], "error": error}
    return {"compute": compute, **{name: _section(answer) for name, answer in found.items()}}
