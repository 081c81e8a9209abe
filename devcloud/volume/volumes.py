"""/volumes: create (empty, from an image, a snapshot or another volume), list, detail,
show, update, delete, and the /action verbs (os-extend, os-set_bootable), each checked in
Cinder 29's order and refused in its words (cinder/api/v3/volumes.py, volume/api.py,
volume/flows/api/create_volume.py)."""

import uuid

from aiohttp import web

from ..errors import CloudError
from . import legacy_actions
from .api import (
    accepted,
    body_of,
    cinder,
    invalid_input,
    json_response,
    mv,
    require_member,
    volume_of,
)
from .listing import VOLUME_FILTERS, Query, next_links, select
from .service import AZ, DEFAULT_TYPE
from .views import volume_summary, volume_view

GB = 1024 ** 3
DELETABLE = {"available", "error", "error_restoring", "error_extending", "error_managing"}
NOT_DELETABLE = ("Invalid volume: Volume status must be available or error or error_restoring "
                 "or error_extending or error_managing and must not be migrating, attached, "
                 "belong to a group, have snapshots, awaiting a transfer, or be disassociated "
                 "from snapshots after volume transfer.")
TRUE = [True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes", "y", "t"]
FALSE = [False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no", "n",
         "f"]


def _uuid_field(spec: dict, field: str) -> str | None:
    value = spec.get(field)
    if value is None:
        return None
    try:
        uuid.UUID(str(value))
    except ValueError:
        raise invalid_input(field, value, f"{value!r} is not valid under any of the given "
                                          "schemas") from None
    return str(value)


def _size(spec: dict, field: str = "size", required: bool = True) -> int | None:
    value = spec.get(field)
    if value is None:
        if required:
            raise invalid_input(field, value, "None is not valid under any of the given "
                                              "schemas")
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_input(field, value, f"{value!r} is not valid under any of the given "
                                          "schemas")
    if value < 1:
        raise invalid_input(field, value, f"{value} is less than the minimum of 1")
    return value


def _image(request, ref: str) -> dict:
    cloud = volume_of(request).cloud
    image = cloud.store["images"].get(ref)
    ctx = request["ctx"]
    if image is None or not (image.get("visibility") in ("public", "community")
                             or image.get("owner") == ctx.project_id or ctx.is_admin
                             or ctx.project_id in image.get("members", [])):
        raise CloudError(400, "Invalid image identifier or unable to access requested image.")
    return image


def _check_image(image: dict, size: int) -> None:
    if image.get("status") != "active":
        raise CloudError(400, f"Invalid input received: Image {image['id']} is not active.")
    image_gb = ((image.get("size") or 0) + GB - 1) // GB
    if image_gb > size:
        raise CloudError(400, f"Invalid input received: Size of specified image {image_gb}GB "
                              f"is larger than volume size {size}GB.")
    if size < (image.get("min_disk") or 0):
        raise CloudError(400, f"Invalid input received: Volume size {size}GB cannot be "
                              f"smaller than the image minDisk size {image['min_disk']}GB.")


@cinder
async def create_volume(request):
    spec = await body_of(request, "volume")
    require_member(request, "volume:create")
    service = volume_of(request)
    ctx = request["ctx"]
    snapshot_id = _uuid_field(spec, "snapshot_id")
    source_id = _uuid_field(spec, "source_volid")
    image_ref = spec.get("imageRef") or spec.get("image_id")
    size = _size(spec, required=not (snapshot_id or source_id))
    vtype = spec.get("volume_type")
    if vtype not in (None, DEFAULT_TYPE["name"], DEFAULT_TYPE["id"]):
        raise CloudError(404, f"Volume type with name {vtype} could not be found.")
    made = {"name": spec.get("name"), "description": spec.get("description"),
            "metadata": spec.get("metadata"), "snapshot_id": snapshot_id,
            "source_volid": source_id}
    if snapshot_id:
        snap = service.get_snapshot(snapshot_id, ctx)
        size = size or snap["size"]
        if snap["status"] != "available":
            raise CloudError(400, "Invalid snapshot: Originating snapshot status must be one "
                                  "of 'available' values")
        if size < snap["size"]:
            raise CloudError(400, f"Invalid input received: Volume size '{size}'GB cannot be "
                                  f"smaller than the snapshot size {snap['size']}GB. They "
                                  "must be >= original snapshot size.")
        origin = service.volumes.get(snap["volume_id"]) or {}
        made.update(bootable=origin.get("bootable"), image_metadata=origin.get("image_metadata"))
    if source_id:
        source = service.get(source_id, ctx)
        size = size or source["size"]
        if source["status"] not in ("available", "in-use"):
            raise CloudError(400, "Invalid volume: Originating source volume status must be "
                                  "one of 'available, in-use' values")
        if size < source["size"]:
            raise CloudError(400, f"Invalid input received: Volume size '{size}'GB cannot be "
                                  f"smaller than original volume size  {source['size']}GB. "
                                  "They must be >= original volume size.")
        made.update(bootable=source["bootable"], image_metadata=source.get("image_metadata"))
    if image_ref:
        image = _image(request, image_ref)
        _check_image(image, size)
        made.update(bootable=True, image_metadata=service.image_metadata(image))
    zone = spec.get("availability_zone")
    if zone is not None and zone != AZ:
        raise CloudError(400, f"Availability zone '{zone}' is invalid.")
    service.check_gigabytes(ctx.project_id, size)
    service.check_count(ctx.project_id, "volumes")
    made.update(size=size, availability_zone=zone)
    vol = service.create(ctx, made)
    return json_response({"volume": volume_view(request, vol, created=True)}, status=202)


def _listed(request, detail: bool):
    query = Query(request, VOLUME_FILTERS)
    page = select(volume_of(request).volumes.values(), query, "Volume")
    render = volume_view if detail else volume_summary
    body = {"volumes": [render(request, v) for v in page]}
    path = "volumes/detail" if detail else "volumes"
    links = next_links(request, page, query, path)
    if links:
        body["volumes_links"] = links
    if mv(request, "3.45") and request.query.get("with_count", "").lower() in ("1", "true"):
        body["count"] = len(page)
    return json_response(body)


@cinder
async def list_volumes(request):
    return _listed(request, detail=False)


@cinder
async def list_volumes_detail(request):
    return _listed(request, detail=True)


@cinder
async def show_volume(request):
    vol = volume_of(request).get(request.match_info["volume_id"], request["ctx"])
    return json_response({"volume": volume_view(request, vol)})


@cinder
async def update_volume(request):
    spec = await body_of(request, "volume")
    service = volume_of(request)
    vol = service.get(request.match_info["volume_id"], request["ctx"])
    require_member(request, "volume:update")
    changes = {k: spec[k] for k in ("name", "description") if k in spec}
    if "display_name" in spec:
        changes["name"] = spec["display_name"]
    if "display_description" in spec:
        changes["description"] = spec["display_description"]
    if isinstance(spec.get("metadata"), dict):
        changes["metadata"] = dict(spec["metadata"])
    service.touch(vol, **changes)
    view = volume_view(request, vol)
    view.pop("os-vol-tenant-attr:tenant_id", None)  # the update answer leaves it out
    return json_response({"volume": view})


@cinder
async def delete_volume(request):
    service = volume_of(request)
    vol = service.get(request.match_info["volume_id"], request["ctx"])
    require_member(request, "volume:delete")
    if (vol["status"] not in DELETABLE or vol["attachments"]
            or service.snapshots_of(vol["id"])):
        raise CloudError(400, NOT_DELETABLE)
    service.delete(vol)
    return accepted()


# --- /action -----------------------------------------------------------------------------

def _extend(request, service, vol: dict, args) -> None:
    require_member(request, "volume:extend")
    if not isinstance(args, dict):
        raise invalid_input("os-extend", args, f"{args!r} is not of type 'object'")
    new_size = _size(args, "new_size")
    attached_ok = mv(request, "3.42")
    expected = {"status": ("available", "in-use")} if attached_ok and vol["attachments"] \
        else {"status": "available"}
    allowed = ("available", "in-use") if attached_ok else ("available",)
    if new_size <= vol["size"]:
        raise CloudError(400, "Invalid input received: New size for extend must be greater "
                              f"than current size. (current: {vol['size']}, extended: "
                              f"{new_size}).")
    service.check_gigabytes(vol["project_id"], new_size - vol["size"])
    if vol["status"] not in allowed:
        raise CloudError(400, f"Invalid volume: Volume {vol['id']} status must be "
                              f"'{expected}' to extend, currently {vol['status']}.")
    service.extend(vol, new_size)


def _set_bootable(request, service, vol: dict, args) -> None:
    require_member(request, "volume:update")
    value = args.get("bootable") if isinstance(args, dict) else None
    if value not in TRUE and value not in FALSE:
        allowed = ", ".join(repr(v) for v in TRUE + FALSE)
        raise invalid_input("bootable", value, f"{value!r} is not one of [{allowed}]")
    service.touch(vol, bootable=value in TRUE)


ACTIONS = {"os-extend": (_extend, 202), "os-set_bootable": (_set_bootable, 200),
           **legacy_actions.ACTIONS}


@cinder
async def volume_action(request):
    try:
        body = await request.json()
    except ValueError:
        raise CloudError(400, "Malformed request body") from None
    service = volume_of(request)
    vol = service.get(request.match_info["volume_id"], request["ctx"])
    if not isinstance(body, dict) or len(body) != 1 or next(iter(body)) not in ACTIONS:
        named = next(iter(body)) if isinstance(body, dict) and body else None
        raise CloudError(400, f"There is no such action: {named}. Verify the request body "
                              "and Content-Type header and try again.")
    name, args = next(iter(body.items()))
    handler, status = ACTIONS[name]
    answer = handler(request, service, vol, args)
    if answer is not None:
        return json_response(answer, status=status)
    return accepted() if status == 202 else web.Response(status=status,
                                                         content_type="application/json")
