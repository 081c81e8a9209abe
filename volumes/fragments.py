"""The live events of the volumes pages: the list's rows (<tr id="volume-…">, a live list:
portal/live.py places a row it has not shown yet in Cinder's order) and the detail page's
status badge. Events go to every open page of the project, readers' too, so rows carry no
change links: they come back on reload."""

from django.template.loader import render_to_string

from portal.live import pushed
from portal.live import removed as removed_row

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
    return pushed(rows.render_row(r, None, oob="true")) + _status(r)


def added(vol: dict) -> str:
    return changed(vol, {})


def removed(volume_id: str) -> str:
    return removed_row(f"volume-{volume_id}")


def snapshot_removed(snapshot_id: str) -> str:
    return f'<tr id="snapshot-{snapshot_id}" hx-swap-oob="delete"></tr>'
