"""The live events of the volumes pages: htmx out-of-band swaps of the list's rows
(<tr id="volume-…">) and the detail page's status badge. Events go to every open page of
the project, readers' too, so rows carry no change links: they come back on reload."""

from django.template.loader import render_to_string

from . import rows
from .server_names import attached_ids, known_names


def _status(r: dict) -> str:
    return render_to_string("volumes/_status.html", {"v": r, "oob": True})


def changed(vol: dict, server_names: dict | None = None) -> str:
    """The row and badge of a changed volume; without `server_names` (the portal's own
    change events) the attached servers are named from what the vms poller keeps."""
    if server_names is None:
        server_names = known_names(attached_ids([vol]))
    r = rows.row(vol, server_names)
    return rows.render_row(r, None, oob="true") + _status(r)


def added(vol: dict) -> str:
    r = rows.row(vol, {})
    return (f'<tbody hx-swap-oob="afterbegin:#volume-rows">{rows.render_row(r, None)}</tbody>'
            + _status(r))


def removed(volume_id: str) -> str:
    return f'<tr id="volume-{volume_id}" hx-swap-oob="delete"></tr>'


def snapshot_removed(snapshot_id: str) -> str:
    return f'<tr id="snapshot-{snapshot_id}" hx-swap-oob="delete"></tr>'
