"""The admins' flavors list as a live list (portal/live.py): a flavor's row says where it
sorts, so that a row the flavors poller pushes lands where reloading the page would show
it.

    sort     vCPUs, RAM, root disk, then the name regardless of case (the page's order),
             then id; numbers zero-padded so the key compares as a string; one page
    to       cloud admins only (portal.events ADMIN_GROUP): flavors are the cloud's
"""

from django.template.loader import render_to_string

from portal import live

LIST = "flavors"


def order(f: dict) -> tuple:
    return (f["vcpus"], f["ram"], f["disk"], f["name"].casefold())


def key(f: dict) -> str:
    return f"{f['vcpus']:08d} {f['ram']:012d} {f['disk']:08d} {f['name'].casefold()} {f['id']}"


def mark(flavors: list[dict]) -> None:
    for f in flavors:
        f["live_attrs"] = live.row_attrs(LIST, key(f), {})


def list_attrs():
    return live.list_attrs(LIST, (), order="asc")


def render(f: dict) -> str:
    """The flavor's row as pushed (the page's own partial)."""
    return live.pushed(render_to_string("vms/admin/_flavor_row.html", {
        "f": {**f, "live_attrs": live.row_attrs(LIST, key(f), {})}, "live": True}))


def removed(flavor_id: str) -> str:
    return live.removed(f"flavor-{flavor_id}")
