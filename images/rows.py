"""One Glance image as the pages show it: built from Glance's JSON (the list's, the
detail's, or what a service got back), rendered to the same <tr id="image-…"> by the list
and by the live events."""

from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime

# Glance's statuses on the way to `active` (import adds `uploading` and `importing`).
TRANSITIONAL = {"queued", "saving", "uploading", "importing"}


def is_snapshot(image: dict) -> bool:
    """Nova marks the images it makes from a server: image_type=snapshot (and the
    server's instance_uuid)."""
    return image.get("image_type") == "snapshot"


def human_size(size) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


def badge(status: str) -> str:
    if status == "active":
        return "ok"
    if status in ("killed", "deleted", "pending_delete", "deactivated"):
        return "bad"
    return "warn"


def row(image: dict, project_id: str) -> dict:
    """What a list row and the detail page show of `image`, as the actor's project sees it
    (its own, or another project's it may only use)."""
    created = image.get("created_at")
    return {
        "id": image["id"], "name": image.get("name") or "", "status": image.get("status", ""),
        "badge": badge(image.get("status", "")),
        "visibility": image.get("visibility", ""), "size": image.get("size"),
        "size_text": human_size(image.get("size")),
        "virtual_size_text": human_size(image.get("virtual_size")),
        "disk_format": image.get("disk_format") or "",
        "container_format": image.get("container_format") or "",
        "min_disk": image.get("min_disk") or 0, "min_ram": image.get("min_ram") or 0,
        "snapshot": is_snapshot(image), "instance_uuid": image.get("instance_uuid") or "",
        "own": image.get("owner") == project_id, "owner": image.get("owner") or "",
        "protected": bool(image.get("protected")), "checksum": image.get("checksum") or "",
        "created_dt": parse_datetime(created) if isinstance(created, str) else None,
        "transitional": image.get("status") in TRANSITIONAL,
        "launchable": image.get("status") == "active",
    }


def delete_what(r: dict) -> str:
    """What deleting the image loses, in the confirmation."""
    what = "snapshot" if r["snapshot"] else "image"
    return (f"The {what} “{r['name'] or r['id']}” and its {r['size_text'] or 'data'} are "
            "deleted from the image service. Servers already running from it keep running, "
            "but no new server can be launched from it and none can be rebuilt to it. "
            "This cannot be undone.")


def for_detail(image: dict, project_id: str | None) -> dict:
    r = row(image, project_id)
    return {**r, "delete_what": delete_what(r)}


def render_row(r: dict, perms, oob: str = "") -> str:
    """The row's HTML; `oob` is its hx-swap-oob value in a live event ("true" replaces the
    row on pages that show it, "afterbegin:#image-rows" adds it to the list)."""
    return render_to_string("images/_row.html", {"i": r, "perms_": perms, "oob": oob})
