"""Cinder's attachment records (the attachments API of 3.27+ and the older os-attach
actions share them), as cinder/volume/api.py keeps them:

    reserve     POST /attachments (volume_uuid [, instance_uuid, connector]): the volume
                `reserved` (available or downloading only, unless the same instance holds
                it already), the record `reserved`; with a connector at once `attaching`
    update      PUT with the connector: record and volume `attaching`, connection_info
                from the driver (the answer is the record as it was, with the new
                connection_info: Cinder returns its stale object)
    complete    os-complete (3.44+): record `attached`, volume `in-use`
    delete      record gone; the volume `in-use` while others remain, else `available`

A record whose instance is a server devcloud's Nova holds the volume for (Nova's own
attachments, compute/volume_attachments.py) may only be deleted by Nova: Cinder's
attachment_deletion_allowed (bug #2004555) answers 409 otherwise. Nova's attachments
are listed here too, as the records Cinder keeps for them.
"""

import uuid

from ..errors import CloudError
from .api import stamp

DRIVER = {"driver_volume_type": "iscsi"}
CONNECTION = {"access_mode": "rw", "qos_specs": None, "encrypted": False, "cacheable": False}


def records(service) -> dict:
    return service.store["volume_attachments"]


def not_found(attachment_id: str) -> CloudError:
    return CloudError(404, "Volume attachment could not be found with filter: "
                           f"attachment_id = {attachment_id}.")


def invalid_volume(reason: str) -> CloudError:
    return CloudError(400, f"Invalid volume: {reason}")


def connection_info(attachment_id: str) -> dict:
    """What the fake driver's attachment_update stores: flat, with the attachment id."""
    return {**CONNECTION, **DRIVER, "attachment_id": attachment_id, "enforce_multipath": False}


def legacy_connection_info(connector: dict) -> dict:
    """os-initialize_connection's answer: the driver's data nested."""
    return {**DRIVER, "data": {**CONNECTION, "enforce_multipath": False},
            "enforce_multipath": bool(connector.get("enforce_multipath", False))}


def _nova_records(service, project_id: str | None) -> list[dict]:
    """Nova's attachments (made through service.reserve) as Cinder's records show them."""
    out = []
    for vol in service.volumes.values():
        if project_id is not None and vol["project_id"] != project_id:
            continue
        held = [(a, "attached") for a in vol["attachments"]]
        pending = vol.get("pending_attachment")
        if pending:
            held.append((pending, "attaching" if vol["status"] == "attaching" else "reserved"))
        for a, status in held:
            if a["attachment_id"] in records(service):
                continue
            out.append({"id": a["attachment_id"], "volume_id": vol["id"],
                        "project_id": vol["project_id"], "instance_uuid": a["server_id"],
                        "attach_status": status, "attach_mode": "rw",
                        "attached_at": a.get("attached_at"), "created_at": vol["created_at"],
                        "connection_info": connection_info(a["attachment_id"]), "nova": True})
    return out


def all_records(service, project_id: str | None) -> list[dict]:
    own = [r for r in records(service).values()
           if project_id is None or r["project_id"] == project_id]
    return own + _nova_records(service, project_id)


def get(service, attachment_id: str, ctx) -> dict:
    project = None if ctx.is_admin else ctx.project_id
    for rec in all_records(service, project):
        if rec["id"] == attachment_id:
            return rec
    raise not_found(attachment_id)


def of_volume(service, volume_id: str) -> list[dict]:
    return [r for r in all_records(service, None) if r["volume_id"] == volume_id]


def reserve(service, vol: dict, instance_uuid: str | None) -> dict:
    if "error" in vol["status"]:
        raise invalid_volume("Volume attachments can not be created if the volume is in an "
                             f"error state. The Volume {vol['id']} currently has a status "
                             f"of: {vol['status']} ")
    if vol["status"] in ("available", "downloading"):
        service.touch(vol, status="reserved")
    elif not (instance_uuid and vol["status"] in ("in-use", "reserved") and any(
            r["instance_uuid"] == instance_uuid for r in of_volume(service, vol["id"]))):
        raise invalid_volume(f"Volume {vol['id']} status must be available or downloading "
                             f"to reserve, but the current status is {vol['status']}.")
    rec = {"id": str(uuid.uuid4()), "volume_id": vol["id"], "project_id": vol["project_id"],
           "instance_uuid": instance_uuid, "attach_status": "reserved", "attach_mode": "null",
           "attached_at": None, "created_at": stamp(), "connection_info": {},
           "connector": None, "mountpoint": None, "host_name": None}
    records(service)[rec["id"]] = rec
    service.store.touch()
    return rec


def connect(service, rec: dict, connector: dict, mode_from_connector: bool = True) -> dict:
    """attachment_update: the connector given, the record and the volume `attaching`."""
    vol = service.volumes[rec["volume_id"]]
    if "error" in vol["status"]:
        raise CloudError(409, "Volume attachments can not be updated if the volume is in an "
                              f"error state. The Volume {vol['id']} currently has a status "
                              f"of: {vol['status']} ")
    rec.update(connector=dict(connector), connection_info=connection_info(rec["id"]),
               attach_status="attaching", attached_at=stamp(),
               mountpoint=connector.get("mountpoint"), host_name=connector.get("host"))
    if mode_from_connector and rec["attach_mode"] == "null":
        rec["attach_mode"] = connector.get("mode", "rw")
    service.touch(vol, status="attaching")
    return rec


def complete(service, rec: dict) -> None:
    vol = service.volumes[rec["volume_id"]]
    rec["attach_status"] = "attached"
    if not any(a["attachment_id"] == rec["id"] for a in vol["attachments"]):
        vol["attachments"].append({
            "id": vol["id"], "attachment_id": rec["id"], "volume_id": vol["id"],
            "server_id": rec["instance_uuid"], "host_name": rec.get("host_name"),
            "device": rec.get("mountpoint"), "attached_at": rec["attached_at"] or stamp()})
    service.touch(vol, status="in-use")


def deletion_allowed(service, ctx, rec: dict | None) -> None:
    """Cinder's attachment_deletion_allowed: a user (no service token) may not take away
    the attachment Nova holds for a server; an unknown attachment names no server."""
    if ctx is None:          # Nova's own call (devcloud's compute service)
        return
    if rec is not None:
        server_id = rec["instance_uuid"]
        if not server_id or not rec.get("connection_info"):
            return
        # Cinder asks Nova for the server's volume: only an attachment Nova made (its
        # block device mapping names it) is Nova's; one made through this API is not
        if not rec.get("nova"):
            return
        compute = service.cloud.services.get("compute")
        server = compute.store["servers"].get(server_id) if compute else None
        if server is None or server.get("deleted"):
            return
    else:
        server_id = ""
    raise CloudError(409, f"ConflictNovaUsingAttachment: Detach volume from instance "
                          f"{server_id} using the Compute API")


def finish_detach(service, rec: dict) -> list[dict]:
    """The record gone; the volume in-use while other attachments remain. Answers what
    remains (Cinder's attachment_delete list)."""
    vol = service.volumes.get(rec["volume_id"])
    records(service).pop(rec["id"], None)
    service.store.touch()
    if vol is None:
        return []
    vol["attachments"] = [a for a in vol["attachments"] if a["attachment_id"] != rec["id"]]
    remaining = of_volume(service, vol["id"])
    service.touch(vol, status="in-use" if vol["attachments"] else "available")
    return remaining
