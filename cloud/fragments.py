"""The HTML fragments pushed to the admins' open pages over /ws/events/: a service's state,
status and heartbeat cells (htmx out-of-band swaps by id), and the page's summary line.
The cells never carry a form, so a fragment made by the watch (no request, no CSRF token)
changes nothing an admin could post."""

from django.template.loader import render_to_string


def service_cells(service) -> str:
    return render_to_string("cloud/_service_cells.html", {"s": service, "oob": True})


def summary(services, as_of: str) -> str:
    return render_to_string("cloud/_summary.html", {
        "count": len(services), "down": [s for s in services if not s.up], "as_of": as_of,
        "oob": True})
