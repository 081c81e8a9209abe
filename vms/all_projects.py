"""What the admin's all-projects instances list shows, and its calls: one page of
`servers/detail?all_tenants=1` (Nova's limit/marker, its project_id, host and status
filters) and Keystone's projects (portal.projects: cached, so warm it is 1 call), run
concurrently. No image names (a Glance call): the project and the host are what an admin
scans this list for.
"""

from openstack import exceptions as os_exc

from portal import projects
from portal.cloud import gather

from . import admin_rows, pollstate, servers

PAGE_SIZE = 50


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
    next_marker = found[-1].id if len(found) == PAGE_SIZE else None
    return {"servers": [admin_rows.row(s, names, actor.perms) for s in found],
            "projects": got["projects"], "stale": pollstate.staleness(),
            "next_marker": next_marker,
            "live_list": admin_rows.list_attrs(project, host, status, marker,
                                               bool(next_marker))}
