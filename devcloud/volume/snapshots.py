"""/snapshots: create (the volume must be available; in-use from 3.66 or with force),
list, detail, show, update, delete (cinder/api/v3/snapshots.py, volume/api.py)."""

from ..errors import CloudError
from .api import accepted, body_of, cinder, json_response, mv, require_member, volume_of
from .listing import SNAPSHOT_FILTERS, Query, next_links, select
from .views import snapshot_view


def _forced(spec: dict) -> bool:
    return str(spec.get("force", False)).lower() in ("true", "1", "yes", "t", "y", "on")


@cinder
async def create_snapshot(request):
    spec = await body_of(request, "snapshot")
    require_member(request, "volume:create_snapshot")
    service = volume_of(request)
    ctx = request["ctx"]
    volume_id = spec.get("volume_id")
    if not volume_id:
        raise CloudError(400, "Invalid input for field/attribute volume_id. Value: None. "
                              "None is not valid under any of the given schemas")
    vol = service.get(str(volume_id), ctx)
    in_use_ok = mv(request, "3.66") or _forced(spec)
    if vol["status"] != "available" and not (in_use_ok and vol["status"] == "in-use"):
        raise CloudError(400, f"Invalid volume: Volume {vol['id']} status must be available, "
                              f"but current status is: {vol['status']}.")
    service.check_gigabytes(vol["project_id"], vol["size"])
    service.check_count(vol["project_id"], "snapshots")
    snap = service.create_snapshot(ctx, vol, spec)
    return json_response({"snapshot": snapshot_view(request, snap, created=True)}, status=202)


def _listed(request, detail: bool):
    query = Query(request, SNAPSHOT_FILTERS)
    page = select(volume_of(request).snapshots.values(), query, "Snapshot")
    body = {"snapshots": [snapshot_view(request, s) for s in page]}
    links = next_links(request, page, query, "snapshots/detail" if detail else "snapshots")
    if links:
        body["snapshots_links"] = links
    return json_response(body)


@cinder
async def list_snapshots(request):
    return _listed(request, detail=False)


@cinder
async def list_snapshots_detail(request):
    return _listed(request, detail=True)


@cinder
async def show_snapshot(request):
    snap = volume_of(request).get_snapshot(request.match_info["snapshot_id"], request["ctx"])
    return json_response({"snapshot": snapshot_view(request, snap)})


@cinder
async def update_snapshot(request):
    spec = await body_of(request, "snapshot")
    service = volume_of(request)
    snap = service.get_snapshot(request.match_info["snapshot_id"], request["ctx"])
    require_member(request, "volume:update_snapshot")
    service.touch(snap, **{k: spec[k] for k in ("name", "description") if k in spec})
    return json_response({"snapshot": snapshot_view(request, snap)})


@cinder
async def delete_snapshot(request):
    service = volume_of(request)
    snap = service.get_snapshot(request.match_info["snapshot_id"], request["ctx"])
    require_member(request, "volume:delete_snapshot")
    if snap["status"] not in ("available", "error"):
        raise CloudError(400, "Invalid snapshot: Snapshot status must be available or error "
                              "and must not be part of a group.")
    service.delete_snapshot(snap)
    return accepted()
