"""The networks list as a live list (portal/live.py): what a network row says about
itself and what an open networks page shows, so that a row the poller pushes lands where
reloading the page would show it.

    sort     the page's: name, then id, ascending (portal.reads.page)
    scope    a project's own page only: an admin's widened list (?all=1, a project column
             more) is not live (a pushed row would lack that column), and a row is pushed to
             its owning project's pages (a shared or external network changing is not
             pushed to the other projects that see it)
"""

from django.template.loader import render_to_string

from portal import live

LIST = "networks"


def key(network: dict) -> str:
    return f"{(network.get('name') or '').lower()} {network['id']}"


def row_attrs(network: dict):
    return live.row_attrs(LIST, key(network), {})


def list_attrs(marker: str | None, more: bool):
    return live.list_attrs(LIST, (), order="asc", first=not marker, last=not more)


def row(network: dict) -> str:
    """A network row as pushed: the list's own row partial, marked for live-rows.js."""
    network = {**network, "own": True, "external": network.get("router:external", False),
               "live_attrs": row_attrs(network)}
    return live.pushed(render_to_string("networks/_network_row.html",
                                        {"n": network, "live": True, "widened": False}))


def removed(network_id: str) -> str:
    return live.removed(f"network-{network_id}")
