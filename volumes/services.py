"""Operations that change Cinder (attachments through Nova), each with the actor's
connection (the person's own token) and each ending in portal.changes.announce: the
audit row and the volume's row on every open volumes page of the project.

    create(actor, fields)        empty, from an image, a snapshot or a volume
    extend / update / set_bootable / delete (volume)
    attach(actor, vol, server) / detach(actor, vol, server_id)   Nova's os-volume_attachments
    create_snapshot / delete_snapshot
"""

from portal.changes import announce

from . import errors, fragments
from .errors import refusals


def label(obj: dict) -> str:
    return f"{obj.get('name') or obj['id']} ({obj['id']})"


def _dict(resource) -> dict:
    return resource.to_dict(computed=False) if hasattr(resource, "to_dict") else resource


def _raw(vol) -> dict:
    """The SDK's Volume back to Cinder's field names (what rows.row reads)."""
    d = vol.to_dict(computed=False)
    return {"id": d["id"], "name": d.get("name"), "description": d.get("description"),
            "size": d.get("size"), "status": d.get("status"),
            "volume_type": d.get("volume_type"), "availability_zone": d.get("availability_zone"),
            "bootable": d.get("is_bootable"), "attachments": d.get("attachments") or [],
            "created_at": d.get("created_at")}


def create(actor, data: dict) -> dict:
    source = data["source"]
    attrs = {"size": data["size"], "name": data.get("name") or None,
             "description": data.get("description") or None,
             "volume_type": data.get("volume_type") or None,
             "availability_zone": data.get("availability_zone") or None}
    if source == "image":
        attrs["image_id"] = data["image"]
    elif source == "snapshot":
        attrs["snapshot_id"] = data["snapshot"]
    elif source == "volume":
        attrs["source_volume_id"] = data["volume"]
    with refusals(errors.CREATE):
        vol = _raw(actor.conn.block_storage.create_volume(**attrs))
    detail = f"{data['size']} GB, {source}" + (f" {data[source]}" if source != "empty" else "")
    announce(actor, "volume.create", label(vol), detail=detail, event=fragments.added(vol))
    return vol


def extend(actor, vol: dict, new_size: int) -> None:
    with refusals(errors.EXTEND):
        actor.conn.block_storage.extend_volume(vol["id"], new_size)
    announce(actor, "volume.extend", label(vol), detail=f"{vol['size']} → {new_size} GB",
             event=fragments.changed({**vol, "status": "extending"}))


def update(actor, vol: dict, name: str, description: str) -> None:
    with refusals(errors.UPDATE):
        changed = actor.conn.block_storage.update_volume(vol["id"], name=name,
                                                         description=description)
    announce(actor, "volume.update", label(vol), detail=f"name “{name}”",
             event=fragments.changed({**vol, "name": changed.name,
                                      "description": changed.description}))


def set_bootable(actor, vol: dict, bootable: bool) -> None:
    with refusals(errors.UPDATE):
        actor.conn.block_storage.set_volume_bootable_status(vol["id"], bootable)
    announce(actor, "volume.set_bootable", label(vol), detail=str(bootable).lower(),
             event=fragments.changed({**vol, "bootable": bootable}))


def delete(actor, vol: dict) -> None:
    with refusals(errors.DELETE):
        actor.conn.block_storage.delete_volume(vol["id"], ignore_missing=False)
    announce(actor, "volume.delete", label(vol),
             event=fragments.changed({**vol, "status": "deleting"}))


def attach(actor, vol: dict, server: dict, server_names: dict | None = None) -> str:
    """Nova's attach; returns the device Nova gave it. `server_names` (id → name) names
    the servers that already hold it in the refusal, when Nova says so."""
    with refusals(errors.ATTACH, server_names=server_names or {}):
        attachment = actor.conn.compute.create_volume_attachment(server["id"],
                                                                 volume_id=vol["id"])
    device = attachment.device or ""
    announce(actor, "volume.attach", label(vol),
             detail=f"to {server.get('name') or server['id']} ({server['id']}) as {device}",
             event=fragments.changed({**vol, "status": "reserved"}))
    return device


def detach(actor, vol: dict, server_id: str) -> None:
    with refusals(errors.DETACH):
        actor.conn.compute.delete_volume_attachment(server_id, vol["id"],
                                                    ignore_missing=False)
    announce(actor, "volume.detach", label(vol), detail=f"from {server_id}",
             event=fragments.changed({**vol, "status": "detaching"}))


def create_snapshot(actor, vol: dict, name: str, description: str) -> dict:
    with refusals(errors.SNAPSHOT):
        snap = _dict(actor.conn.block_storage.create_snapshot(
            volume_id=vol["id"], name=name or None, description=description or None))
    announce(actor, "volume.snapshot", label(vol), detail=f"snapshot {snap['id']}",
             event=fragments.changed(vol))
    return snap


def delete_snapshot(actor, snap: dict) -> None:
    with refusals(errors.SNAPSHOT_DELETE):
        actor.conn.block_storage.delete_snapshot(snap["id"], ignore_missing=False)
    announce(actor, "volume.snapshot_delete", label(snap), detail=f"of {snap['volume_id']}",
             event=fragments.snapshot_removed(snap["id"]))
