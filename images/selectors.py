"""What each images page shows, and the Glance calls it costs:

    list     one GET /v2/images (one page: Glance's limit and marker), filtered by
             visibility as Glance filters it: 1 call
    detail   the image: 1 call
    change   (visibility, delete) the image, checked to be the project's own: 1 call

An admin's token lists and shows every project's images: what a page shows is still what
the project itself may use (`usable`), and what it may change is its own (`owned_image`).
"""

from django.http import Http404
from openstack import exceptions as os_exc

from portal import reads

from . import live, rows

PAGE_SIZE = 50
# The list's filter (?shown=) → Glance's query. Without one: `visibility=all`, the only
# way to have community images in the same list as the project's own, public and shared.
SHOWN = {
    "": {"visibility": "all"},
    "own": {"visibility": "all"},         # + owner=<the project>
    "private": {"visibility": "private"},
    "shared": {"visibility": "shared"},
    "community": {"visibility": "community"},
    "public": {"visibility": "public"},
}
SHOWN_LABELS = [("", "All usable images"), ("own", "This project's"),
                ("private", "Private"), ("shared", "Shared"), ("community", "Community"),
                ("public", "Public")]


def usable(image: dict, actor) -> bool:
    """Whether the actor's project may see and use `image`: its own, a public or
    community one, or one another project shared with it. A member's token lists only
    those already; an admin's lists every project's private and shared images too, of
    which the project keeps its own (Glance's list cannot say which were shared *with*
    it without a members call per image)."""
    if image.get("owner") == actor.project_id:
        return True
    if image.get("visibility") in ("public", "community"):
        return True
    return image.get("visibility") == "shared" and not actor.perms.is_admin


def _query(actor, shown: str) -> dict:
    query = dict(SHOWN[shown])
    if shown == "own":
        query["owner"] = actor.project_id
    return query


def images_page(actor, shown: str = "", marker: str | None = None) -> dict:
    params = {"limit": PAGE_SIZE, "sort_key": "created_at", "sort_dir": "desc",
              **_query(actor, shown)}
    if marker:
        params["marker"] = marker
    try:
        body = reads.get(actor.conn.image, "/images", params)
    except os_exc.BadRequestException:
        if marker:  # that image is gone: start over, and say so
            return {**images_page(actor, shown), "marker_lost": True}
        raise
    found = body.get("images", [])
    next_marker = found[-1]["id"] if body.get("next") and found else None
    return {"images": [{**rows.row(i, actor.project_id), "live_attrs": live.row_attrs(i)}
                       for i in found if usable(i, actor)],
            "next_marker": next_marker,
            "live_list": live.list_attrs(shown, actor.project_id, marker, bool(next_marker))}


def find_image(actor, image_id: str) -> dict | None:
    """Glance's image by ID, whichever project owns it; None when Glance says 404."""
    resp = actor.conn.image.get(f"/images/{image_id}", raise_exc=False)
    if resp.status_code == 404:
        return None
    os_exc.raise_from_response(resp)
    return resp.json()


def visible_image(actor, image_id: str) -> dict:
    """The image if the project may use it (own, public, community, shared with it);
    404 for anything else, whatever the token may see."""
    image = find_image(actor, image_id)
    if image is None or not usable(image, actor):
        raise Http404("No such image in this project.")
    return image


def owned_image(actor, image_id: str) -> dict:
    """The image if it is the project's own (what a change may touch); 404 otherwise."""
    image = find_image(actor, image_id)
    if image is None or image.get("owner") != actor.project_id:
        raise Http404("No such image in this project.")
    return image


def image_detail(actor, image_id: str) -> dict:
    image = visible_image(actor, image_id)
    return {"image": image, "i": rows.for_detail(image, actor.project_id)}
