"""What the admin's all-projects instances list shows, and its calls: one page of
`servers/detail?all_tenants=1` (Nova's limit/marker, its project_id, host and status
filters) and Keystone's projects (portal.projects: cached, so warm it is 1 call), run
concurrently. No image names (a Glance call): the project and the host are what an admin
scans this list for.
"""

from django.urls import reverse
from openstack import exceptions as os_exc

from portal import projects
from portal.cloud import gather

from . import offered, pollstate, rows, servers
from .services import ACTIONS

PAGE_SIZE = 50


def _row(server, names: dict, perms) -> dict:
    r = rows.for_template(rows.row(server, {}))
    r["project"] = names.get(server.project_id, "")
    r["host"] = server.body.get("OS-EXT-SRV-ATTR:host") or ""
    # the one-button actions the admin may take here, by Nova's rules (vms.offered)
    r["actions"] = [{"name": a.name, "label": a.label, "confirm": a.needs_confirmation,
                     "danger": a.danger, "what": a.says(server.name),
                     "url": reverse("vms:admin_action", args=[server.id, a.name])}
                    for a in offered.offered(r, perms) if a.name in ACTIONS]
    return r


def servers_page(actor, project: str = "", host: str = "", status: str = "",
                 marker: str | None = None) -> dict:
    conn = actor.conn
    query = {"all_tenants": "1", "limit": PAGE_SIZE}
    for key, value in (("project_id", project), ("host", host), ("status", status),
                       ("marker", marker)):
        if value:
            query[key] = value

    def page():
        try:
            return servers.detailed(conn, query)
        except os_exc.BadRequestException:
            if marker:  # that server is gone: start over, and say so
                return None
            raise

    got = gather(servers=page, projects=lambda: projects.projects(actor))
    if got["servers"] is None:
        return {**servers_page(actor, project, host, status), "marker_lost": True}
    found = got["servers"]
    names = {p["id"]: p["name"] for p in got["projects"]}
    if any(s.project_id not in names for s in found):  # a project made since it was cached
        names = projects.names(actor, {s.project_id for s in found})
    return {"servers": [_row(s, names, actor.perms) for s in found],
            "projects": got["projects"], "stale": pollstate.staleness(),
            "next_marker": found[-1].id if len(found) == PAGE_SIZE else None}
