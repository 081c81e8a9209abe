"""The admin's floating IP pools list as a live list (portal/live.py): a pool's row says
where it sorts, so that a row the networks poller pushes lands where reloading the page
would show it.

    sort     name, then id (the page sorts in Python: case matters); one page, no filter
    usage    Neutron's network-ip-availabilities: floating IPs and router gateways on the
             pool's subnets, so a floating IP allocated or released anywhere changes it

Pushed to cloud admins only (portal.events ADMIN_GROUP): the page is theirs, and a pool
is the cloud's, not a project's.
"""

from django.template.loader import render_to_string

from portal import live

LIST = "pools"


def key(pool: dict) -> str:
    return f"{pool.get('name') or ''} {pool['id']}"


def mark(pools: list[dict]) -> None:
    for p in pools:
        p["live_attrs"] = live.row_attrs(LIST, key(p), {})


def list_attrs():
    return live.list_attrs(LIST, (), order="asc")


def render(pool: dict) -> str:
    """The pool's row as pushed (the page's own partial)."""
    return live.pushed(render_to_string("networks/_pool_row.html", {
        "p": {**pool, "live_attrs": live.row_attrs(LIST, key(pool), {})}, "live": True}))


def removed(pool_id: str) -> str:
    return live.removed(f"pool-{pool_id}")
