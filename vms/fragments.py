"""The HTML fragments pushed over /ws/events/: htmx out-of-band swaps of elements whose
ids the list and detail pages carry (row, status badge, timeline, stale notice)."""

from django.template.loader import render_to_string

from . import rows, timeline


def row(r: dict) -> str:
    return rows.render_row(r, oob=True)


def status(r: dict) -> str:
    return render_to_string("vms/_status.html", {"s": rows.for_template(r), "oob": True})


def timeline_of(server_id: str, wants_floating_ip: bool) -> str:
    return render_to_string("vms/_timeline.html", {
        "timeline": timeline.view(server_id, wants_floating_ip), "oob": True})


def server(r: dict, wants_floating_ip: bool) -> str:
    """Everything a changed server updates on any page that shows it."""
    return row(r) + status(r) + timeline_of(r["id"], wants_floating_ip)


def stale(info: dict | None) -> str:
    return render_to_string("vms/_stale.html", {"stale": info, "oob": True})
