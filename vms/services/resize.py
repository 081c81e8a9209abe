"""Resize: one Nova call, the project's quota checked first (Nova counts only the growth:
new minus old); the steps (resize_prep … VERIFY_RESIZE) are its action run's, followed by
the poller. Confirm and revert are one-button actions (services/actions.py)."""

from openstack import exceptions as os_exc

from ..errors import CloudRefused, explain
from .actions import ACTION_REFUSALS
from .common import accepted, check

RESIZE_REFUSALS = [
    (r"instances must change flavor", "The server already has this flavor: pick another "
                                      "one."),
    (r"Quota exceeded for (?P<what>[\w, ]+): Requested (?P<req>.+?), but already used "
     r"(?P<used>.+?) of (?P<max>.+?) \w",
     "Your project's quota does not allow this resize ({what}: {req} more asked for, "
     "{used} used of {max}). Pick a smaller flavor or ask an administrator to raise the "
     "quota."),
    (r"Quota exceeded", "Your project's quota does not allow this resize: {nova}"),
    (r"Flavor .* could not be found", "That flavor no longer exists. Pick another one."),
    (r"No valid host", "The cloud has no room for this flavor right now. Pick a smaller "
                       "one or try again later."),
    (r"[Rr]esize.* disk", "Nova cannot resize this server's disk that way: {nova}"),
    *ACTION_REFUSALS,
]
WORDS = {"cores": "vCPUs", "ram": "MiB of RAM"}


def flavor_change(server, flavor) -> list[dict]:
    """What the resize changes: vCPUs, RAM, disk, from → to."""
    old = server.flavor
    out = []
    for key, label, unit in (("vcpus", "vCPUs", ""), ("ram", "RAM", " MiB"),
                             ("disk", "Disk", " GB")):
        before, after = getattr(old, key, None) or 0, getattr(flavor, key, None) or 0
        out.append({"what": label, "from": before, "to": after, "unit": unit,
                    "delta": after - before})
    return out


def describe(server, flavor) -> str:
    old = server.flavor.original_name or server.flavor.name or "?"
    changes = ", ".join(f"{c['what']} {c['from']}{c['unit']} → {c['to']}{c['unit']}"
                        for c in flavor_change(server, flavor) if c["delta"])
    return f"{old} → {flavor.name}" + (f" ({changes})" if changes else "")


def check_quota(limits: dict, server, flavor) -> None:
    """Refuse before calling Nova a resize whose growth exceeds the project's quota."""
    old = server.flavor
    growth = {"cores": (flavor.vcpus or 0) - (old.vcpus or 0),
              "ram": (flavor.ram or 0) - (old.ram or 0)}
    over = []
    for what, more in growth.items():
        used, limit = limits[what]
        if more > 0 and limit is not None and limit >= 0 and used + more > limit:
            over.append(f"{more} more {WORDS[what]} would make {used + more} of {limit}")
    if over:
        raise CloudRefused("This resize would exceed your project's quota: "
                           + "; ".join(over) + ". Pick a smaller flavor, stop using "
                           "servers you no longer need, or ask an administrator to raise "
                           "the quota.")


def resize(actor, server, flavor, limits: dict) -> str:
    check(actor, server, "resize")
    if flavor.name == (server.flavor.original_name or server.flavor.name):
        raise CloudRefused("The server already has this flavor: pick another one.")
    check_quota(limits, server, flavor)
    try:
        actor.conn.compute.resize_server(server, flavor.id)
    except os_exc.HttpException as exc:
        raise explain(exc, RESIZE_REFUSALS) from None
    detail = describe(server, flavor)
    accepted(actor, server, "resize", detail, "resize_prep")
    return (f"Resize of {server.name} requested ({detail}). When it is ready, confirm or "
            "revert it here.")
