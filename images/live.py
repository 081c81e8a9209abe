"""The images list as a live list (portal/live.py): what an image row says about itself
and what an open images page shows, in Glance's own terms, so that a row the poller
pushes lands where reloading the page would show it.

    sort     the page's: created_at, newest first, then id (Glance adds id to every sort)
    shown    the visibility filter (?shown=): `own` is the owner, the others Glance's
             visibility; "all usable" is no filter (the rows a project is sent are
             already those it may use: images.poller routes them)
    paged    Glance's marker: a new image belongs on the first page only

A row offers Launch to those who may change (the same partial as the page's rows): it
is rendered once per audience (portal.events), and once for the owner's pages (its own
image) and once for every other project's (another project's public or community one).
"""

from portal import live
from portal.access import AUDIENCES

from . import rows

LIST = "images"


def key(image: dict) -> str:
    return f"{image.get('created_at') or ''} {image['id']}"


def row_attrs(image: dict):
    return live.row_attrs(LIST, key(image), {"visibility": image.get("visibility") or "",
                                             "owner": image.get("owner") or ""})


def list_attrs(shown: str, project_id: str, marker: str | None, more: bool):
    filters = []
    if shown == "own":
        filters.append(("owner", "eq", project_id))
    elif shown:
        filters.append(("visibility", "eq", shown))
    return live.list_attrs(LIST, filters, order="desc", first=not marker, last=not more)


def row(image: dict, project_id: str) -> dict[str, str]:
    """The image's row as the pages of `project_id` show it, {audience: pushed html};
    audiences offered the same (nothing to launch) share one render."""
    r = {**rows.row(image, project_id), "live_attrs": row_attrs(image)}
    by_change: dict[bool, str] = {}
    out = {}
    for audience, perms in AUDIENCES.items():
        can = perms.can_change and r["launchable"]
        if can not in by_change:
            by_change[can] = live.pushed(rows.render_row(r, perms, oob="true"))
        out[audience] = by_change[can]
    return out


def removed(image_id: str) -> str:
    return live.removed(f"image-{image_id}")
