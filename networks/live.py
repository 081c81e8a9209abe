"""The networks panel's lists as live lists (portal/live.py): what a row says about
itself and what an open list page shows, so that a row the poller pushes lands where
reloading the page would show it.

    networks         name (Neutron sorts it: case-insensitively on MariaDB), then id;
                     paged (first/last page)
    routers, security groups
                     name, then id (the page sorts them in Python: case matters)
    floating IPs     the address as Neutron sorts it (a string), then id; paged; a row
                     per audience (its associate/release actions are a member's)
    scope            a project's own page only: an admin's widened list (?all=1) is not
                     live (its rows carry the project, a pushed row does not, so its rows
                     have no ids to be replaced by), and a row is pushed to its owning
                     project's pages (a shared or external network changing is not pushed
                     to the other projects that see it)
"""

from django.template.loader import render_to_string

from portal import live
from portal.access import AUDIENCES

# list name → (row template, the row's name in that template, row id prefix)
LISTS = {
    "networks": ("networks/_network_row.html", "n", "network"),
    "routers": ("networks/_router_row.html", "r", "router"),
    "security_groups": ("networks/_sg_row.html", "g", "sg"),
    "floatingips": ("networks/_fip_row.html", "f", "fip"),
}
# Rows that offer changes (a floating IP's associate/release): one variant per audience.
BY_AUDIENCE = {"floatingips"}
CASELESS = {"networks"}


def key(name: str, obj: dict) -> str:
    if name == "floatingips":  # the page's sort: the address (Neutron's, as a string), id
        return f"{obj.get('floating_ip_address') or ''} {obj['id']}"
    label = obj.get("name") or ""
    return f"{label.lower() if name in CASELESS else label} {obj['id']}"


def row_attrs(name: str, obj: dict):
    return live.row_attrs(name, key(name, obj), {})


def mark(name: str, rows: list[dict], widened: bool) -> None:
    """Give a page's rows their live attributes (none on a widened list)."""
    if widened:
        return
    for obj in rows:
        obj["live_attrs"] = row_attrs(name, obj)


def list_attrs(name: str, widened: bool, marker: str | None = None, more: bool = False):
    if widened:
        return None
    return live.list_attrs(name, (), order="asc", first=not marker, last=not more)


def row(name: str, obj: dict) -> dict:
    """A row as pushed, {audience: html} (audience None: every page of the project): the
    list's own row partial, marked for live-rows.js. It goes to the owner's pages only,
    where the object is the page's project's own."""
    template, var, _ = LISTS[name]
    obj = {**obj, "own": True, "live_attrs": row_attrs(name, obj)}
    ctx = {var: obj, "live": True, "widened": False,
           "cloud_user": {"project_id": obj.get("project_id")}}
    if name not in BY_AUDIENCE:
        return {None: live.pushed(render_to_string(template, ctx))}
    return {audience: live.pushed(render_to_string(template, {**ctx, "perms_": perms}))
            for audience, perms in AUDIENCES.items()}


def removed(name: str, object_id: str) -> str:
    return live.removed(f"{LISTS[name][2]}-{object_id}")
