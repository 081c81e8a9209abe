from django import template

register = template.Library()

LABELS = {"name": "Project", "servers": "Servers", "vcpus": "vCPUs", "ram": "RAM (MiB)",
          "floating_ips": "Floating IPs", "volumes": "Volumes", "gigabytes": "Volume GB"}


@register.inclusion_tag("cloud/_sort_header.html")
def sort_header(column: str, sort: str, direction: str):
    """A column's header: a link that sorts by it (again: the other way round)."""
    current = column == sort
    flip = "desc" if current and direction == "asc" else "asc"
    if not current and column != "name":
        flip = "desc"   # the biggest users first
    return {"label": LABELS[column], "column": column, "dir": flip, "current": current,
            "direction": direction}


@register.filter
def cell(row: dict, column: str):
    return row.get(column)
