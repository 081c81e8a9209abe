"""The version documents, volume types, availability zones, /limits and os-quota-sets
(with ?usage=True), as the real Cinder 29 answers them."""

from ..compute.hosts import HOST
from ..errors import CloudError
from ..routes import public
from .api import (
    MAX_VERSION,
    MIN_VERSION,
    body_of,
    cinder,
    fmt,
    json_response,
    mv,
    require_admin,
    stamp,
    volume_of,
)
from .service import AZ, DEFAULT_QUOTAS

QUOTA_ORDER = ("volumes", "per_volume_gigabytes", "snapshots", "gigabytes", "backups",
               "backup_gigabytes", "volumes___DEFAULT__", "gigabytes___DEFAULT__",
               "snapshots___DEFAULT__", "groups")


def _version(request) -> dict:
    base = f"{request.scheme}://{request.host}/volume"
    return {"id": "v3.0", "status": "CURRENT", "version": fmt(MAX_VERSION),
            "min_version": fmt(MIN_VERSION), "updated": "2023-08-31T00:00:00Z",
            "links": [{"rel": "describedby", "type": "text/html",
                       "href": "https://docs.openstack.org/"},
                      {"rel": "self", "href": f"{base}/v3/"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.volume+json;version=3"}]}


@public
async def versions(request):
    return json_response({"versions": [_version(request)]}, status=300)


@cinder
async def v3_root(request):
    return json_response({"versions": [_version(request)]})


@cinder
async def list_types(request):
    return json_response({"volume_types": volume_of(request).types()})


@cinder
async def show_type(request):
    wanted = request.match_info["type_id"]
    for vtype in volume_of(request).types():
        if wanted in (vtype["id"], vtype["name"]):
            return json_response({"volume_type": vtype})
    raise CloudError(404, f"Volume type {wanted} could not be found.")


@cinder
async def default_type(request):
    return json_response({"volume_type": volume_of(request).types()[0]})


@cinder
async def availability_zones(request):
    return json_response({"availabilityZoneInfo": [
        {"zoneName": AZ, "zoneState": {"available": True}}]})


@cinder
async def limits(request):
    service = volume_of(request)
    project = request["ctx"].project_id
    quotas, used = service.quotas(project), service.usage(project)
    return json_response({"limits": {"rate": [], "absolute": {
        "maxTotalVolumes": quotas["volumes"], "maxTotalSnapshots": quotas["snapshots"],
        "maxTotalVolumeGigabytes": quotas["gigabytes"], "maxTotalBackups": quotas["backups"],
        "maxTotalBackupGigabytes": quotas["backup_gigabytes"],
        "totalVolumesUsed": used["volumes"], "totalGigabytesUsed": used["gigabytes"],
        "totalSnapshotsUsed": used["snapshots"], "totalBackupsUsed": 0,
        "totalBackupGigabytesUsed": 0}}})


def _target(request) -> str:
    """A member may read only its own project's quotas (Cinder's policy words)."""
    target = request.match_info["target_id"]
    ctx = request["ctx"]
    if target != ctx.project_id and not ctx.is_admin:
        raise CloudError(403, "Policy doesn't allow volume_extension:quotas:show to be "
                              "performed.")
    return target


@cinder
async def show_quotas(request):
    target = _target(request)
    service = volume_of(request)
    quotas, used = service.quotas(target), service.usage(target)
    if request.query.get("usage", "").lower() in ("true", "1"):
        body = {k: {"limit": quotas[k], "in_use": used.get(k, 0), "reserved": 0}
                for k in QUOTA_ORDER}
    else:
        body = {k: quotas[k] for k in QUOTA_ORDER}
    return json_response({"quota_set": {**body, "id": target}})


@cinder
async def default_quotas(request):
    target = _target(request)
    return json_response({"quota_set": {**{k: DEFAULT_QUOTAS[k] for k in QUOTA_ORDER},
                                        "id": target}})


@cinder
async def update_quotas(request):
    require_admin(request, "volume_extension:quotas:update")
    spec = await body_of(request, "quota_set")
    target = request.match_info["target_id"]
    stored = volume_of(request).store["volume_quotas"].setdefault(target, {})
    for key, value in spec.items():
        if key in QUOTA_ORDER:
            try:
                stored[key] = int(value)
            except (TypeError, ValueError):
                raise CloudError(400, f"Invalid input received: Quota '{key}' must be an "
                                      "integer.") from None
    volume_of(request).store.touch()
    quotas = volume_of(request).quotas(target)
    return json_response({"quota_set": {k: quotas[k] for k in QUOTA_ORDER}})


@cinder
async def services(request):
    """cinder-volume (backend `fake`) and cinder-scheduler on devcloud's host, always up."""
    if not request["ctx"].is_admin:
        raise CloudError(403, "Policy doesn't allow volume_extension:services:index to be "
                              "performed.")
    now = stamp()
    volume = {"binary": "cinder-volume", "host": f"{HOST}@fake", "zone": AZ,
              "status": "enabled", "state": "up", "updated_at": now}
    scheduler = {"binary": "cinder-scheduler", "host": HOST, "zone": AZ,
                 "status": "enabled", "state": "up", "updated_at": now}
    if mv(request, "3.49"):
        volume["backend_state"] = "up"
    if mv(request, "3.7"):
        volume["cluster"] = scheduler["cluster"] = None
    volume.update(disabled_reason=None, replication_status="disabled",
                  active_backend_id=None, frozen=False)
    scheduler["disabled_reason"] = None
    return json_response({"services": [volume, scheduler]})
