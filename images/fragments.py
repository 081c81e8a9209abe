"""The live events of the images pages: htmx out-of-band swaps of the list's rows
(<tr id="image-…">) and the detail page's status badge. Every images change announces
one of these; another app that changes an image (a server snapshot) can announce
`changed(image, actor)` too.

An event goes to every open page of the project, readers' too, so its rows carry no
change links (Launch): those come back when the page is loaded again."""

from django.template.loader import render_to_string

from . import rows


def _status(r: dict) -> str:
    return render_to_string("images/_status.html", {"i": r, "oob": True})


def changed(image: dict, actor) -> str:
    """The image's row and badge on every page showing them."""
    r = rows.row(image, actor.project_id)
    return rows.render_row(r, None, oob="true") + _status(r)


def added(image: dict, actor) -> str:
    """A new image: its row at the top of the list."""
    r = rows.row(image, actor.project_id)
    return (f'<tbody hx-swap-oob="afterbegin:#image-rows">{rows.render_row(r, None)}</tbody>'
            + _status(r))


def removed(image_id: str) -> str:
    return f'<tr id="image-{image_id}" hx-swap-oob="delete"></tr>'
