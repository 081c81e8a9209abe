"""Volume and snapshot bodies as Cinder 29 renders them, field order and microversion gates
included (checked against the real cloud's answers at 3.0 and 3.70)."""

from .api import mv, self_links
from .service import DEFAULT_TYPE, HOST, SERVICE_UUID


def attachment_view(attachment: dict) -> dict:
    return {k: attachment[k] for k in ("id", "attachment_id", "volume_id", "server_id",
                                       "host_name", "device", "attached_at")}


def volume_view(request, vol: dict, created: bool = False) -> dict:
    admin = request["ctx"].is_admin
    view = {"id": vol["id"], "status": vol["status"], "size": vol["size"],
            "availability_zone": vol["availability_zone"],
            "created_at": vol["created_at"], "updated_at": vol["updated_at"],
            "name": vol["name"], "description": vol["description"],
            "volume_type": vol["volume_type"], "snapshot_id": vol["snapshot_id"],
            "source_volid": vol["source_volid"], "metadata": dict(vol["metadata"]),
            "links": self_links(request, "volumes", vol["id"]), "user_id": vol["user_id"],
            "bootable": "true" if vol["bootable"] else "false", "encrypted": False,
            "replication_status": None, "consistencygroup_id": None, "multiattach": False,
            "attachments": [attachment_view(a) for a in vol["attachments"]]}
    if admin and not created:
        view["migration_status"] = None
    if vol.get("image_metadata"):
        view["volume_image_metadata"] = dict(vol["image_metadata"])
    if mv(request, "3.13"):
        view["group_id"] = None
    if admin and not created and mv(request, "3.21"):
        view["provider_id"] = None
    if mv(request, "3.48"):
        # a just-made volume has no service yet, as Cinder's create answer shows
        view["shared_targets"] = created
        view["service_uuid"] = None if created else SERVICE_UUID
    if admin and not created and mv(request, "3.61"):
        view["cluster_name"] = None
    if mv(request, "3.63"):
        view["volume_type_id"] = DEFAULT_TYPE["id"]
    if mv(request, "3.65"):
        view["consumes_quota"] = True
    if not created:
        view["os-vol-tenant-attr:tenant_id"] = vol["project_id"]
        if admin:
            view["os-vol-mig-status-attr:migstat"] = None
            view["os-vol-mig-status-attr:name_id"] = None
            view["os-vol-host-attr:host"] = HOST
    return view


def volume_summary(request, vol: dict) -> dict:
    return {"id": vol["id"], "name": vol["name"],
            "links": self_links(request, "volumes", vol["id"])}


def snapshot_view(request, snap: dict, created: bool = False) -> dict:
    view = {"id": snap["id"], "created_at": snap["created_at"],
            "updated_at": snap["updated_at"], "name": snap["name"],
            "description": snap["description"], "volume_id": snap["volume_id"],
            "status": snap["status"], "size": snap["size"], "metadata": dict(snap["metadata"])}
    if mv(request, "3.14"):
        view["group_snapshot_id"] = None
    if mv(request, "3.41"):
        view["user_id"] = snap["user_id"]
    if mv(request, "3.65"):
        view["consumes_quota"] = True
    if not created:
        view["os-extended-snapshot-attributes:project_id"] = snap["project_id"]
        view["os-extended-snapshot-attributes:progress"] = (
            "100%" if snap["status"] == "available" else "0%")
    return view
