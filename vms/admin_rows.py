"""One row of the admin's all-projects instances list (vms/admin/_server_row.html), as
the page renders it and as the poller pushes it, and that list as a live list
(portal/live.py) in Nova's own terms:

    sort     Nova's default: created_at, newest first
    project  Nova's project_id filter: exact
    host     Nova's host filter: exact (an exact-match filter in Nova's database API)
    status   as Nova maps it to vm_state and task_state (vms.live.states_of)
    paged    Nova's marker: a new server belongs on the first page only

A pushed row goes to cloud admins only: every admin's open pages (portal.events
ADMIN_GROUP), whatever project they work in, with the server's name unlinked (its detail
page is its own project's), then to its own project's admin pages with the link, as the
page renders it there (sent after, so that one is the row those pages keep).
"""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from portal import live as portal_live
from portal.access import AUDIENCES

from . import live, offered, rows
from .services import ACTIONS

LIST = "admin-servers"


def row(server, project_names: dict, perms) -> dict:
    r = rows.for_template(rows.row(server, {}))
    r["project"] = project_names.get(server.project_id, "")
    r["host"] = server.body.get("OS-EXT-SRV-ATTR:host") or ""
    # the one-button actions the admin may take here, by Nova's rules (vms.offered)
    r["actions"] = [{"name": a.name, "label": a.label, "confirm": a.needs_confirmation,
                     "danger": a.danger, "what": a.says(server.name),
                     "url": reverse("vms:admin_action", args=[server.id, a.name])}
                    for a in offered.offered(r, perms) if a.name in ACTIONS]
    r["live_attrs"] = row_attrs(r)
    return r


def row_attrs(r: dict):
    return portal_live.row_attrs(LIST, r.get("created") or "", {
        "project": r.get("project_id") or "", "host": r.get("host") or "",
        "vm-state": r.get("vm_state") or "", "task-state": r.get("task_state") or live.DEFAULT})


def list_attrs(project: str = "", host: str = "", status: str = "",
               marker: str | None = None, more: bool = False):
    filters = []
    if project:
        filters.append(("project", "eq", project))
    if host:
        filters.append(("host", "eq", host))
    if status:
        vm_states, task_states = live.states_of(status)
        filters.append(("vm-state", "in", vm_states))
        if task_states is not None:
            filters.append(("task-state", "in", task_states))
    return portal_live.list_attrs(LIST, filters, order="desc", first=not marker,
                                  last=not more)


def pushed(server, project_names: dict) -> tuple[str, str]:
    """(the row for every admin's pages, the row for its own project's admin pages): one
    render, in its own project (the name a link to its detail page), the link then taken
    off for the others (a poll of 100 changed servers renders 100 rows, not 200)."""
    r = row(server, project_names, AUDIENCES["admin"])
    own = render_to_string("vms/admin/_server_row.html", {
        "s": r, "oob": True, "cloud_user": {"project_id": server.project_id}})
    name = escape(r.get("name") or "")
    link = f'<a href="{reverse("vms:detail", args=[server.id])}">{name}</a>'
    return portal_live.pushed(own.replace(link, name, 1)), portal_live.pushed(own)


def removed(server_id: str) -> str:
    return portal_live.removed(f"admin-server-{server_id}")
