"""The HTML fragments pushed over /ws/events/: htmx out-of-band swaps of elements whose
ids the list and detail pages carry (row, status badge, timeline, stale notice, key
pair rows). Every change the vms app makes announces one of these.

A server's row carries its action menu and checkbox, which differ by role (readers get
none; a locked server offers admins more than members): `row` and `server` give
{audience: html} (portal.events), each audience's row rendered from vms.offered's table,
and rendered once for audiences that are offered the same."""

import hashlib

from django.template.loader import render_to_string

from portal.access import AUDIENCES
from portal.live import pushed

from . import live, offered, rows, timeline


def row(r: dict) -> dict[str, str]:
    by_actions: dict[tuple, str] = {}
    out = {}
    for audience, perms in AUDIENCES.items():
        key = (perms.can_change, tuple(a.name for a in offered.offered(r, perms)))
        if key not in by_actions:
            by_actions[key] = pushed(rows.render_row(r, oob=True, perms=perms))
        out[audience] = by_actions[key]
    return out


def status(r: dict) -> str:
    return render_to_string("vms/_status.html", {"s": rows.for_template(r), "oob": True})


def _timeline(view: dict) -> str:
    return render_to_string("vms/_timeline.html", {"timeline": view, "oob": True})


def timeline_of(server_id: str, wants_floating_ip: bool) -> str:
    return _timeline(timeline.view(server_id, wants_floating_ip))


def server(r: dict, wants_floating_ip: bool) -> dict[str, str]:
    """Everything a changed server updates on any page that shows it, by audience; a
    server Nova lists as DELETED leaves the lists (its detail page keeps its badge and
    timeline, which say so)."""
    common = status(r) + timeline_of(r["id"], wants_floating_ip)
    if r["status"] == "DELETED":
        return {None: live.removed(r["id"]) + common}
    return {audience: html + common for audience, html in row(r).items()}


def panels(p: dict) -> str:
    """A server's detail panels (vms.panels.build), for its open detail pages."""
    return render_to_string("vms/_panels.html", {"panels": p, "oob": True})


def launched(server_ids: list[str], wants_floating_ip: bool) -> str:
    """A launch: the new servers' timelines (their first steps). Their rows come with the
    poller's first look at them, which knows what Nova made of the request."""
    return "".join(_timeline(v) for v in timeline.views(server_ids, wants_floating_ip))


def stale(info: dict | None) -> str:
    return render_to_string("vms/_stale.html", {"stale": info, "oob": True})


# Key pairs belong to a user, not to the project whose pages receive the event: the
# element ids are digests of (user, name), so only the owner's key pair page has them.

def keypair_id(user_id: str, name: str) -> str:
    return "keypair-" + hashlib.sha256(f"{user_id}\0{name}".encode()).hexdigest()[:16]


def keypairs_id(user_id: str) -> str:
    return "keypairs-" + hashlib.sha256(user_id.encode()).hexdigest()[:16]


def keypair_row(user_id: str, keypair) -> dict:
    return {"name": keypair.name, "fingerprint": keypair.fingerprint,
            "type": getattr(keypair, "type", None), "row_id": keypair_id(user_id, keypair.name)}


def keypair_added(user_id: str, keypair) -> str:
    return render_to_string("vms/_keypair_added.html", {
        "k": keypair_row(user_id, keypair), "row_id": keypair_id(user_id, keypair.name),
        "oob": f"beforeend:#{keypairs_id(user_id)}"})


def keypair_removed(user_id: str, name: str) -> str:
    return f'<tr id="{keypair_id(user_id, name)}" hx-swap-oob="delete"></tr>'
