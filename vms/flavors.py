"""What the admin's flavor pages show, and the cloud calls they cost:

    list     every flavor (public and private: is_public=None) + Keystone's projects
             (cached: portal.projects), then, concurrently, the access list of each
             private flavor (Nova has no call that lists them together; private flavors
             are few, and past ACCESS_LISTED of them the list says "see its page")
    detail   the flavor, its access list and the projects, concurrently: 3 calls

Each takes the admin's Actor; Nova lets only admins see private flavors and access lists.
"""

from django.http import Http404
from openstack import exceptions as os_exc

from portal import projects, reads
from portal.cloud import gather

from . import flavor_rows

ACCESS_LISTED = 25
MV = "2.75"  # a flavor's description (2.55) and swap as a number, 0 for none (2.75)


def listed(conn) -> list[dict]:
    """Every flavor, public and private, as rows (the list page's and the flavors
    poller's one call)."""
    return [row(f) for f in reads.follow(conn.compute, "/flavors/detail", "flavors",
                                         {"is_public": "None"}, microversion=MV)]


def row(f: dict) -> dict:
    """A flavor as the pages show it, from Nova's JSON (at MV)."""
    return {"id": f["id"], "name": f["name"], "vcpus": f["vcpus"], "ram": f["ram"],
            "disk": f["disk"], "ephemeral": f.get("OS-FLV-EXT-DATA:ephemeral") or 0,
            "swap": f.get("swap") or 0,
            "is_public": f.get("os-flavor-access:is_public", True),
            "description": f.get("description") or "", "access": None}


def one(conn, flavor_id: str) -> dict:
    """One flavor as a row; 404 when Nova has none by that id."""
    found = reads.find(conn.compute, f"/flavors/{flavor_id}", "flavor", microversion=MV)
    if found is None:
        raise Http404("No such flavor.")
    return row(found)


def _access(conn, flavor_id: str) -> list[str]:
    """The project ids given a private flavor ([] for a public one, which has no list)."""
    try:
        return [a["tenant_id"] for a in conn.compute.get_flavor_access(flavor_id)]
    except os_exc.NotFoundException:
        return []


def _named(ids, names: dict) -> list[dict]:
    return sorted(({"id": i, "name": names.get(i, "")} for i in ids),
                  key=lambda p: (p["name"].casefold() or "~", p["id"]))


def flavors_page(actor) -> dict:
    conn = actor.conn
    got = gather(flavors=lambda: listed(conn), projects=lambda: projects.names(actor))
    flavors = sorted(got["flavors"], key=flavor_rows.order)
    fill_access(actor, flavors, got["projects"])
    flavor_rows.mark(flavors)
    return {"flavors": flavors, "access_listed": ACCESS_LISTED,
            "live_list": flavor_rows.list_attrs()}


def fill_access(actor, flavors: list[dict], names: dict | None = None) -> None:
    """The projects of the first ACCESS_LISTED private flavors, named (the page's, and the
    flavors poller's for the rows it pushes): their access lists concurrently."""
    conn = actor.conn
    private = [f for f in flavors if not f["is_public"]][:ACCESS_LISTED]
    if not private:
        return
    lists = gather(**{f"a{i}": (lambda fid=f["id"]: _access(conn, fid))
                      for i, f in enumerate(private)})
    if names is None or any(p not in names for ids in lists.values() for p in ids):
        names = projects.names(actor, {p for ids in lists.values() for p in ids})
    for i, f in enumerate(private):
        f["access"] = _named(lists[f"a{i}"], names)


def flavor_detail(actor, flavor_id: str) -> dict:
    conn = actor.conn
    got = gather(flavor=lambda: one(conn, flavor_id), access=lambda: _access(conn, flavor_id),
                 projects=lambda: projects.projects(actor))
    names = {p["id"]: p["name"] for p in got["projects"]}
    if any(p not in names for p in got["access"]):
        names = projects.names(actor, got["access"])
    access = _named(got["access"], names)
    given = {p["id"] for p in access}
    return {"flavor": got["flavor"], "access": access,
            "other_projects": [p for p in got["projects"] if p["id"] not in given]}
