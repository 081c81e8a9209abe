"""/servers/{id}/os-volume_attachments: list, show, attach, detach, as Nova 34's
volumes controller answers them, with devcloud's Cinder (cloud.services["volume"]) doing
the volume's half: reserved → attaching → in-use, detaching → available.

Nova's checks in its order: the body's volumeId is a uuid, policy, the volume exists
(Cinder's 404 in Nova's words), lock, vm_state (attach_volume / detach_volume), then
"already attached" (compute/api.py _check_volume_already_attached) and Cinder's own
"status must be available or downloading to reserve". Devices count up from /dev/sdb,
as the real cloud's fake driver names them. No availability zone check: Nova makes one
only with `[cinder] cross_az_attach = False`, whose default (True, as the real cloud
runs) attaches across zones.
"""

import string
import uuid

from aiohttp import web

from ..errors import CloudError
from .api import body_of, cloud_of, compute_of, invalid_input, json_response, mv, nova, policy_error
from .states import check_lock, check_state

VOLUME_STATES = {"active", "paused", "stopped", "resized", "soft-delete", "shelved",
                 "shelved_offloaded"}


# What Nova answers when its Cinder client finds no block storage in the catalog: the
# exception is not one it translates, so the API's catch-all fault
NO_CINDER = ("Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ "
             "and attach the Nova API log if possible.\n"
             "<class 'keystoneauth1.exceptions.catalog.EndpointNotFound'>")


def volume_service(request):
    service = cloud_of(request).services.get("volume")
    if service is None:     # devcloud --no-volume
        raise CloudError(500, NO_CINDER)
    return service


def _server(request):
    return compute_of(request).get(request.match_info["server_id"], request["ctx"])


def _view(request, attachment: dict, listed: bool) -> dict:
    if mv(request, "2.89"):
        view = {"volumeId": attachment["volume_id"], "serverId": attachment["server_id"],
                "device": attachment["device"]}
    else:
        view = {"id": attachment["volume_id"], "serverId": attachment["server_id"],
                "volumeId": attachment["volume_id"], "device": attachment["device"]}
    if mv(request, "2.70"):
        view["tag"] = None
    if mv(request, "2.79"):
        view["delete_on_termination"] = bool(attachment.get("delete_on_termination"))
    if mv(request, "2.89") and listed:
        view["attachment_id"] = attachment["attachment_id"]
        view["bdm_uuid"] = attachment.setdefault("bdm_uuid", str(uuid.uuid4()))
    return view


def _held(service, server_id: str) -> list[dict]:
    """Attachments made and being made (a reserved volume's is pending)."""
    held = list(service.attached_to(server_id))
    held += [v["pending_attachment"] for v in service.volumes.values()
             if (v.get("pending_attachment") or {}).get("server_id") == server_id]
    return held


def _next_device(service, server_id: str) -> str:
    used = {a["device"] for a in _held(service, server_id)}
    for letter in string.ascii_lowercase[1:]:
        if f"/dev/sd{letter}" not in used:
            return f"/dev/sd{letter}"
    raise CloudError(400, "No free device names")


def attachments_by_server(cloud) -> dict[str, list[dict]]:
    """server id -> its attached volumes, oldest first, for `volumes_attached` (views.py)."""
    service = cloud.services.get("volume")
    found: dict[str, list] = {}
    if service is None:
        return found
    for vol in service.volumes.values():
        for a in vol["attachments"]:
            if not service.novas(a):
                continue
            found.setdefault(a["server_id"], []).append(
                (a["attached_at"] or "", vol["id"],
                 {"id": vol["id"], "delete_on_termination": bool(a.get("delete_on_termination"))}))
    return {sid: [entry for *_, entry in sorted(rows, key=lambda r: (r[0], r[1]))]
            for sid, rows in found.items()}


@nova
async def list_attachments(request):
    server = _server(request)
    if cloud_of(request).services.get("volume") is None:
        return json_response({"volumeAttachments": []})   # Nova reads its own BDMs
    held = _held(volume_service(request), server["id"])
    return json_response({"volumeAttachments": [_view(request, a, True) for a in held]})


@nova
async def show_attachment(request):
    server = _server(request)
    volume_id = request.match_info["volume_id"]
    for attachment in _held(volume_service(request), server["id"]):
        if attachment["volume_id"] == volume_id:
            return json_response({"volumeAttachment": _view(request, attachment, True)})
    raise CloudError(404, f"Instance {server['id']} is not attached to volume {volume_id}")


@nova
async def attach(request):
    compute = compute_of(request)
    server = _server(request)
    body = await body_of(request, "volumeAttachment")
    spec = body["volumeAttachment"]
    volume_id = spec.get("volumeId")
    if volume_id is None:
        raise invalid_input("volumeAttachment", spec, "'volumeId' is a required property")
    try:
        uuid.UUID(str(volume_id))
    except ValueError:
        raise invalid_input("volumeId", volume_id, f"'{volume_id}' is not a 'uuid'") from None
    ctx = request["ctx"]
    if not ctx.can_write:
        raise policy_error("os_compute_api:os-volumes-attachments:create")
    service = volume_service(request)
    vol = service.volumes.get(volume_id)
    if vol is None or (vol["project_id"] != ctx.project_id and not ctx.is_admin):
        raise CloudError(404, f"Volume {volume_id} could not be found.")
    check_lock(server, ctx)
    check_state(server, "attach_volume", VOLUME_STATES)
    holders = [a["server_id"] for a in vol["attachments"]]
    pending = vol.get("pending_attachment")
    if pending:
        holders.append(pending["server_id"])
    if holders:
        raise CloudError(400, f"Invalid volume: volume {volume_id} is already attached to "
                              f"instances: {' '.join(holders)}")
    if vol["status"] not in ("available", "downloading"):
        raise CloudError(400, f"Invalid volume: Volume {volume_id} status must be available "
                              f"or downloading to reserve, but the current status is "
                              f"{vol['status']}.")
    compute.record_action(server, "attach_volume", ctx, request["request_id"])
    attachment = service.reserve(vol, server, _next_device(service, server["id"]))
    if mv(request, "2.79") and spec.get("delete_on_termination") is not None:
        attachment["delete_on_termination"] = bool(spec["delete_on_termination"])
    compute.finish_actions(server)
    compute.touch(server)
    view = _view(request, attachment, False)
    return json_response({"volumeAttachment": view})


@nova
async def detach(request):
    compute = compute_of(request)
    server = _server(request)
    ctx = request["ctx"]
    if not ctx.can_write:
        raise policy_error("os_compute_api:os-volumes-attachments:delete")
    volume_id = request.match_info["volume_id"]
    service = volume_service(request)
    vol = service.volumes.get(volume_id)
    if vol is None or (vol["project_id"] != ctx.project_id and not ctx.is_admin):
        raise CloudError(404, f"Volume {volume_id} could not be found.")
    check_lock(server, ctx)
    check_state(server, "detach_volume", VOLUME_STATES)
    if not any(a["server_id"] == server["id"] for a in vol["attachments"]):
        raise CloudError(404, f"Instance {server['id']} is not attached to volume "
                              f"{volume_id}")
    if vol["status"] == "detaching":
        raise CloudError(400, "Invalid volume: Unable to detach volume. Volume status must "
                              "be 'in-use' and attach_status must be 'attached' to detach.")
    compute.record_action(server, "detach_volume", ctx, request["request_id"])
    service.begin_detach(vol, server["id"])
    compute.finish_actions(server)
    compute.touch(server)
    return web.Response(status=202)


def routes(r, prefix: str) -> None:
    base = f"{prefix}/servers/{{server_id}}/os-volume_attachments"
    r.add_get(base, list_attachments)
    r.add_post(base, attach)
    r.add_get(f"{base}/{{volume_id}}", show_attachment)
    r.add_delete(f"{base}/{{volume_id}}", detach)
