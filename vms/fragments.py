"""The HTML fragments pushed over /ws/events/: htmx out-of-band swaps of elements whose
ids the list and detail pages carry (row, status badge, timeline, stale notice, key
pair rows). Every change the vms app makes announces one of these.

A server's row carries its action menu and checkbox, which differ by role (readers get
none; a locked server offers admins more than members): `row` and `server` give
{audience: html} (portal.events), each audience's row rendered from vms.offered's table,
and rendered once for audiences that are offered the same."""

import hashlib

from django.template.loader import render_to_string

from portal import live as live_lists
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


# Key pairs belong to a user, not to a project: their rows go to the owner's pages in any
# project (portal.events.user_group), and the key pairs list is a live list (portal/live.py)
# filtered by owner, so a row lands on its owner's key pairs page only. Row ids and the
# owner value are digests of the user id.

KEYPAIRS = "keypairs"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def keypair_id(user_id: str, name: str) -> str:
    return "keypair-" + _digest(user_id, name)


def keypairs_list_attrs(user_id: str):
    return live_lists.list_attrs(KEYPAIRS, [("owner", "eq", _digest(user_id))], order="asc")


def keypair_row(user_id: str, keypair) -> dict:
    """A key pair as its row shows it, from openstacksdk's Keypair or a notification's
    KeypairPayload data (a dict)."""
    get = keypair.get if isinstance(keypair, dict) else \
        (lambda field, default=None: getattr(keypair, field, default))
    name = get("name")
    return {"name": name, "fingerprint": get("fingerprint"), "type": get("type"),
            "row_id": keypair_id(user_id, name),
            "live_attrs": live_lists.row_attrs(KEYPAIRS, name, {"owner": _digest(user_id)})}


def keypair_added(user_id: str, keypair) -> dict:
    """{audience: the row as pushed}: its Delete only for those who may change things."""
    k = keypair_row(user_id, keypair)
    return {audience: pushed(render_to_string("vms/_keypair_row.html", {
        "k": k, "row_id": k["row_id"], "perms_": perms}))
        for audience, perms in AUDIENCES.items()}


def keypair_removed(user_id: str, name: str) -> dict:
    html = live_lists.removed(keypair_id(user_id, name))
    return {audience: html for audience in AUDIENCES}
