"""The live events of the images pages: the list's rows (<tr id="image-…">, a live list:
images.live) and the detail page's status badge. Every images change the portal makes
announces one of these at once; images.poller sends the same for changes made anywhere
(the CLI, another project's public image), so a row here is only the quicker of the two.

A row is {audience: html} (its Launch is for those who may change), for the pages of the
actor's project."""

from django.template.loader import render_to_string

from portal.access import AUDIENCES

from . import live, rows


def for_project(image: dict, project_id: str | None) -> dict[str, str]:
    """The image's row (placed, or replaced) and its detail page's badge, facts and
    actions as the pages of `project_id` show them (None: a project that does not own
    it), by audience (Launch and Delete are for those who may change)."""
    r = rows.for_detail(image, project_id)
    shown = (render_to_string("images/_status.html", {"i": r, "oob": True})
             + render_to_string("images/_facts.html", {"i": r, "oob": True}))
    return {audience: html + shown + render_to_string("images/_actions.html", {
        "i": r, "oob": True, "perms_": AUDIENCES[audience]})
        for audience, html in live.row(image, project_id).items()}


def changed(image: dict, actor) -> dict[str, str]:
    return for_project(image, actor.project_id)


added = changed  # a new image's row lands in sort order: the same fragment


def removed(image_id: str) -> str:
    return live.removed(image_id)
