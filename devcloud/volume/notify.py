"""Cinder's notifications (devcloud --notifications URL), as the real Cinder 2026.2 sends
them with the messagingv2 driver (captured on ../shared/realcloud's bus:
tests/devcloud/notifications_real.json):

    exchange `openstack` (Cinder keeps oslo.messaging's default control_exchange), routing
    key `notifications.info`, the oslo 2.0 envelope, publisher_id "volume.<host>" or
    "snapshot.<host>", payload Cinder's usage dict (volume_utils._usage_from_volume and
    _usage_from_snapshot: flat, times as 2026-12-01T16:13:03+00:00)

    volume.create.start/.end, volume.attach.start/.end, volume.detach.start/.end,
    volume.delete.start/.end, volume.resize.start/.end (extend), snapshot.create.start/.end,
    snapshot.delete.start/.end
"""

from datetime import datetime

from ..notifications import context as api_context
from .defaults import AZ, DEFAULT_TYPE, HOST, SERVICE_UUID

BACKEND = HOST.split("#")[0]            # devcloud@fake: the volume service's own host
API_HOST = BACKEND.split("@")[0]         # devcloud: cinder-api's (attach/detach .end)


def _aware(stamp: str | None) -> str | None:
    """Cinder's payload times: the datetime's isoformat with its +00:00."""
    if not stamp:
        return None
    return datetime.fromisoformat(stamp.rstrip("Z").split("+")[0]).replace(
        microsecond=0).isoformat() + "+00:00"


def _naive(stamp: str | None) -> str | None:
    """The attachment's nested objects' times: 2026-12-01T16:13:09.000000."""
    if not stamp:
        return None
    return datetime.fromisoformat(stamp.rstrip("Z").split("+")[0]).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")


def _volume_object(vol: dict, status: str) -> dict:
    """The Volume object inside each attachment (its DB row, as Cinder serialises it)."""
    return {"_name_id": None, "attach_status": "attached" if vol["attachments"]
            else "detached", "availability_zone": vol["availability_zone"],
            "bootable": bool(vol.get("bootable")), "cluster_name": None,
            "consistencygroup_id": None, "created_at": _naive(vol["created_at"]),
            "deleted": False, "deleted_at": None, "display_description": vol.get("description"),
            "display_name": vol.get("name"), "ec2_id": None, "encryption_key_id": None,
            "group_id": None, "host": HOST, "id": vol["id"],
            "launched_at": _naive(vol["created_at"]), "migration_status": None,
            "multiattach": False, "previous_status": None, "project_id": vol["project_id"],
            "provider_auth": None, "provider_geometry": None, "provider_id": None,
            "provider_location": None, "replication_driver_data": None,
            "replication_extended_status": None, "replication_status": None,
            "scheduled_at": _naive(vol["created_at"]), "service_uuid": SERVICE_UUID,
            "shared_targets": False, "size": vol["size"], "snapshot_id": vol.get("snapshot_id"),
            "source_volid": vol.get("source_volid"), "status": status, "terminated_at": None,
            "updated_at": _naive(vol.get("updated_at") or vol["created_at"]),
            "use_quota": True, "user_id": vol["user_id"], "volume_type_id": DEFAULT_TYPE["id"]}


def _attachment(vol: dict, att: dict, status: str) -> dict:
    attached = att.get("attached_at") is not None
    device = att.get("device")
    return {"attach_mode": "rw" if attached else "null",
            "attach_status": "attached" if attached else "reserved",
            "attach_time": _naive(att.get("attached_at")),
            "attached_host": "devcloud" if attached else None,
            "connection_info": "{}", "connector": None if not attached else
            f'{{"ip": "127.0.0.1", "host": "devcloud", "mountpoint": "{device}"}}',
            "created_at": _naive(vol.get("updated_at") or vol["created_at"]),
            "deleted": False, "deleted_at": None, "detach_time": None,
            "id": att["attachment_id"], "instance_uuid": att["server_id"],
            "mountpoint": device if attached else None,
            "updated_at": _naive(vol.get("updated_at") or vol["created_at"]),
            "volume": _volume_object(vol, status), "volume_id": vol["id"]}


def volume_payload(vol: dict, status: str | None = None) -> dict:
    status = status or vol["status"]
    held = list(vol["attachments"]) + ([vol["pending_attachment"]]
                                       if vol.get("pending_attachment") else [])
    return {"availability_zone": vol["availability_zone"],
            "created_at": _aware(vol["created_at"]), "display_name": vol.get("name"),
            "host": HOST, "launched_at": _aware(vol["created_at"]),
            "metadata": [{"key": k, "value": v} for k, v in sorted(vol["metadata"].items())],
            "replication_driver_data": None, "replication_extended_status": None,
            "replication_status": None, "size": vol["size"],
            "snapshot_id": vol.get("snapshot_id"), "status": status,
            "tenant_id": vol["project_id"], "user_id": vol["user_id"],
            "volume_attachment": [_attachment(vol, a, status) for a in held],
            "volume_id": vol["id"], "volume_type": DEFAULT_TYPE["id"]}


def snapshot_payload(snap: dict, status: str | None = None) -> dict:
    return {"availability_zone": AZ, "created_at": _aware(snap["created_at"]),
            "deleted": "", "display_name": snap.get("name"),
            "metadata": "", "snapshot_id": snap["id"], "status": status or snap["status"],
            "tenant_id": snap["project_id"], "user_id": snap["user_id"],
            "volume_id": snap["volume_id"], "volume_size": snap["size"]}


class _Owner:
    """The request context of the volume's owner (who asked for what devcloud settles)."""

    def __init__(self, obj: dict):
        self.project_id, self.user_id, self.is_admin = obj["project_id"], obj["user_id"], False


def context(obj: dict) -> dict:
    """The context keys Cinder's RequestContext.to_dict gives (the ones Neutron's lack
    are filled as the real Cinder fills them for a member)."""
    project, user = obj["project_id"], obj["user_id"]
    return {**api_context(_Owner(obj)),
            "_context_auth_token": None, "_context_domain": None,
            "_context_domain_id": None, "_context_global_request_id": None,
            "_context_is_admin_project": True, "_context_message_action": None,
            "_context_message_resource_id": None, "_context_message_resource_type": None,
            "_context_project": project, "_context_project_domain": "default",
            "_context_project_name": None, "_context_quota_class": None,
            "_context_read_deleted": "no", "_context_read_only": False,
            "_context_remote_address": None, "_context_request_id": None,
            "_context_resource_uuid": None, "_context_roles": ["member"],
            "_context_service_catalog": [], "_context_show_deleted": False,
            "_context_system_scope": None,
            "_context_timestamp": datetime.now().strftime("%Y-%m-%dT%H:%M:%S.%f"),
            "_context_user": user, "_context_user_domain": "default",
            "_context_user_identity": f"{user} {project} - default default"}


def volume(service, vol: dict, event: str, publisher_host: str = HOST,
           status: str | None = None) -> None:
    notifier = service.cloud.notifier
    if notifier is not None:
        notifier.send(exchange="openstack", topic="notifications",
                      publisher=f"volume.{publisher_host}", event_type=f"volume.{event}",
                      payload=volume_payload(vol, status), context=context(vol))


def snapshot(service, snap: dict, event: str, status: str | None = None) -> None:
    notifier = service.cloud.notifier
    if notifier is not None:
        notifier.send(exchange="openstack", topic="notifications",
                      publisher=f"snapshot.{BACKEND}", event_type=f"snapshot.{event}",
                      payload=snapshot_payload(snap, status), context=context(snap))
