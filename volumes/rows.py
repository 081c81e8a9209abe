"""What a volumes list row and the detail page show of a Cinder volume or snapshot."""

from django.template.loader import render_to_string

from portal import live

# The volumes list is a live list (portal/live.py) in Cinder's own order: newest first
# (created_at desc, then id).
LIST = "volumes"

TRANSITIONAL = {"creating", "attaching", "detaching", "extending", "deleting", "reserved",
                "downloading", "maintenance"}
# what each action needs of the volume's status (Cinder's own rules, checked by it too)
CAN = {"extend": {"available"}, "delete": {"available", "error", "error_extending"},
       "attach": {"available"}, "snapshot": {"available"}}


def badge(status: str) -> str:
    if status in ("available", "in-use"):
        return "ok"
    if status.startswith("error"):
        return "bad"
    return "warn"


def row(vol: dict, server_names: dict) -> dict:
    status = vol.get("status", "")
    attached = [{"server_id": a["server_id"], "device": a.get("device") or "",
                 "server_name": server_names.get(a["server_id"]) or a["server_id"]}
                for a in vol.get("attachments") or []]
    return {
        "id": vol["id"], "name": vol.get("name") or "", "label": vol.get("name") or vol["id"],
        "description": vol.get("description") or "", "size": vol.get("size") or 0,
        "type": vol.get("volume_type") or "", "status": status, "badge": badge(status),
        "zone": vol.get("availability_zone") or "",
        "bootable": str(vol.get("bootable")).lower() == "true",
        "attached": attached, "transitional": status in TRANSITIONAL,
        "snapshot_id": vol.get("snapshot_id"), "source_volid": vol.get("source_volid"),
        "image": (vol.get("volume_image_metadata") or {}).get("image_name") or "",
        "created": vol.get("created_at") or "",
        "can": {verb: status in states and (verb != "delete" or not attached)
                for verb, states in CAN.items()},
        "live_attrs": live.row_attrs(LIST, f"{vol.get('created_at') or ''} {vol['id']}", {}),
    }


def list_attrs(first: bool, last: bool):
    return live.list_attrs(LIST, (), order="desc", first=first, last=last)


def snapshot_row(snap: dict, volume_names: dict) -> dict:
    status = snap.get("status", "")
    return {"id": snap["id"], "name": snap.get("name") or "",
            "label": snap.get("name") or snap["id"], "size": snap.get("size") or 0,
            "status": status, "badge": badge(status), "volume_id": snap.get("volume_id"),
            "volume_name": volume_names.get(snap.get("volume_id")) or snap.get("volume_id"),
            "created": snap.get("created_at") or "", "usable": status == "available"}


def render_row(r: dict, perms, oob: str = "") -> str:
    return render_to_string("volumes/_row.html", {"v": r, "perms_": perms, "oob": oob})
