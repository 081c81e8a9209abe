"""Nova's version documents, limits, quota sets, services, hypervisors, availability zones."""

import uuid

from aiohttp import web

from .. import fleet
from ..errors import CloudError
from ..routes import add_resource, add_root, public
from . import hosts, quotas
from .api import (
    MAX_VERSION,
    MIN_VERSION,
    base,
    body_of,
    cloud_of,
    compute_of,
    fmt,
    iso_micro,
    json_response,
    mv,
    nova,
    policy_error,
    require_admin,
)
from .hosts import CAPACITY

# --- versions ----------------------------------------------------------------

def _v21(request) -> dict:
    return {"id": "v2.1", "status": "CURRENT", "version": fmt(MAX_VERSION),
            "min_version": fmt(MIN_VERSION), "updated": "2013-07-23T11:33:21Z",
            "links": [{"rel": "self", "href": f"{base(request)}/v2.1/"}]}


@public
async def versions(request):
    v20 = {"id": "v2.0", "status": "DEPRECATED", "version": "", "min_version": "",
           "updated": "2025-07-04T12:00:00Z",
           "links": [{"rel": "self", "href": f"{base(request)}/v2/"}]}
    return web.json_response({"versions": [v20, _v21(request)]})


@public
@nova
async def version_v21(request):
    doc = _v21(request)
    doc["links"].append({"rel": "describedby", "type": "text/html",
                         "href": "http://docs.openstack.org/"})
    doc["media-types"] = [{"base": "application/json",
                           "type": "application/vnd.openstack.compute+json;version=2.1"}]
    return json_response({"version": doc})


# --- limits and quotas --------------------------------------------------------

@nova
async def limits(request):
    compute = compute_of(request)
    ctx = request["ctx"]
    project = request.query.get("tenant_id") if ctx.is_admin else None
    project = project or ctx.project_id
    q = quotas.limits(compute.store, project)
    used = compute.usage(project)
    absolute = {"maxTotalCores": q["cores"]}
    if not mv(request, "2.57"):
        absolute.update(maxPersonality=q["injected_files"],
                        maxPersonalitySize=q["injected_file_content_bytes"])
    absolute.update(maxTotalInstances=q["instances"], maxTotalKeypairs=q["key_pairs"],
                    maxServerMeta=q["metadata_items"])
    if not mv(request, "2.57"):
        absolute["maxImageMeta"] = q["metadata_items"]
    absolute.update(maxTotalRAMSize=q["ram"], maxServerGroups=q["server_groups"],
                    maxServerGroupMembers=q["server_group_members"])
    if not mv(request, "2.36"):
        absolute.update(maxTotalFloatingIps=-1, maxSecurityGroups=-1, maxSecurityGroupRules=-1)
    absolute.update(totalRAMUsed=used["ram"], totalCoresUsed=used["cores"],
                    totalInstancesUsed=used["instances"])
    if not mv(request, "2.36"):
        absolute.update(totalFloatingIpsUsed=0, totalSecurityGroupsUsed=0)
    absolute["totalServerGroupsUsed"] = 0
    return json_response({"limits": {"rate": [], "absolute": absolute}})


def _quota_project(request, rule: str) -> str:
    ctx = request["ctx"]
    project_id = request.match_info["project_id"]
    if not ctx.is_admin and project_id != ctx.project_id:
        raise policy_error(rule)
    return project_id


def _quota_set(request, values: dict, project_id: str | None, detail_usage=None) -> dict:
    body = {"id": project_id} if project_id else {}
    for name in quotas.visible_fields(request["mv"]):
        value = quotas.quota_value(values, name)
        if detail_usage is None:
            body[name] = value
        else:
            body[name] = {"limit": value, "in_use": detail_usage.get(name, 0), "reserved": 0}
    return body


@nova
async def show_quota(request):
    project_id = _quota_project(request, "os_compute_api:os-quota-sets:show")
    values = quotas.limits(compute_of(request).store, project_id)
    return json_response({"quota_set": _quota_set(request, values, project_id)})


@nova
async def show_quota_detail(request):
    project_id = _quota_project(request, "os_compute_api:os-quota-sets:detail")
    compute = compute_of(request)
    values = quotas.limits(compute.store, project_id)
    usage = compute.usage(project_id)
    # Nova counts key pairs per user: a project's quota detail always shows 0 in use
    usage["key_pairs"] = 0
    return json_response({"quota_set": _quota_set(request, values, project_id, usage)})


@nova
async def show_quota_defaults(request):
    project_id = request.match_info["project_id"]
    return json_response({"quota_set": _quota_set(request, dict(quotas.DEFAULTS), project_id)})


@nova
async def update_quota(request):
    require_admin(request, "os_compute_api:os-quota-sets:update")
    project_id = request.match_info["project_id"]
    if project_id not in cloud_of(request).store["projects"]:
        raise CloudError(400, f"Project ID {project_id} is not a valid project.")
    body = (await body_of(request, "quota_set"))["quota_set"]
    allowed = set(quotas.visible_fields(request["mv"])) | {"force"}
    unknown = [k for k in body if k not in allowed]
    if unknown:
        raise CloudError(400, f"Invalid input for field/attribute quota_set. Value: {body}. "
                              "Additional properties are not allowed ({} {} unexpected)".format(
                                  ", ".join(repr(k) for k in unknown),
                                  "was" if len(unknown) == 1 else "were"))
    store = compute_of(request).store
    overrides = store["quotas"].setdefault(quotas.key(project_id), {})
    for name, value in body.items():
        if name == "force":
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise CloudError(400, f"Invalid input for field/attribute {name}. Value: {value}. "
                                  f"'{value}' is not of type 'integer'") from None
        if value < -1:
            raise CloudError(400, f"Invalid input for field/attribute {name}. Value: {value}. "
                                  f"{value} is less than the minimum of -1")
        overrides[name] = value
    store.touch()
    return json_response({"quota_set": _quota_set(request, quotas.limits(store, project_id),
                                                  None)})


@nova
async def delete_quota(request):
    require_admin(request, "os_compute_api:os-quota-sets:delete")
    store = compute_of(request).store
    store["quotas"].pop(quotas.key(request.match_info["project_id"]), None)
    store.touch()
    return web.Response(status=202)


# --- services, hypervisors, availability zones ----------------------------------------

def _service_view(request, svc: dict) -> dict:
    row = {"binary": svc["binary"], "host": svc["host"],
           "id": svc["uuid"] if mv(request, "2.53") else svc["number"],
           "zone": svc["zone"], "status": svc["status"], "state": svc["state"],
           "updated_at": iso_micro(svc["updated_at"]),
           "disabled_reason": svc["disabled_reason"]}
    if mv(request, "2.11"):
        row["forced_down"] = svc["forced_down"]
    return row


@nova
async def list_services(request):
    require_admin(request, "os_compute_api:os-services:list")
    q = request.query
    out = [_service_view(request, s) for s in fleet.nova_services(cloud_of(request))
           if s["binary"] == q.get("binary", s["binary"])
           and s["host"] == q.get("host", s["host"])]
    return json_response({"services": out})


SERVICE_UPDATE_FIELDS = {"status", "disabled_reason", "forced_down"}


def _check_service_update(body: dict) -> None:
    """Nova's service_update_v253 schema and the checks after it."""
    unknown = sorted(set(body) - SERVICE_UPDATE_FIELDS)
    if unknown:
        # The real Nova says it without the usual "Invalid input for field" prefix.
        raise CloudError(400, "Additional properties are not allowed ({} {} unexpected)"
                         .format(", ".join(repr(k) for k in unknown),
                                 "was" if len(unknown) == 1 else "were"))
    status, reason = body.get("status"), body.get("disabled_reason")
    if status is not None and status not in ("enabled", "disabled"):
        raise CloudError(400, f"Invalid input for field/attribute status. Value: {status}. "
                              f"'{status}' is not one of ['enabled', 'disabled']")
    if reason is not None and (not isinstance(reason, str) or not 1 <= len(reason) <= 255):
        raise CloudError(400, f"Invalid input for field/attribute disabled_reason. Value: "
                              f"{reason}. {reason!r} is not valid under any of the given "
                              "schemas")
    forced = body.get("forced_down")
    if forced is not None and not isinstance(forced, bool):
        raise CloudError(400, f"Invalid input for field/attribute forced_down. Value: "
                              f"{forced}. {forced!r} is not of type 'boolean'")
    if status is None and forced is None:
        raise CloudError(400, "No updates were requested. Fields 'status' or 'forced_down' "
                              "should be specified.")
    if status == "enabled" and reason is not None:
        raise CloudError(400, "Specifying 'disabled_reason' with status 'enabled' is "
                              "invalid.")


@nova
async def update_service(request):
    """PUT /os-services/{service_id} (2.53+): enable or disable a nova-compute service (with
    a reason), or set its forced_down flag."""
    require_admin(request, "os_compute_api:os-services:update")
    service_id = request.match_info["service_id"]
    if not mv(request, "2.53"):
        raise CloudError(404, "The resource could not be found.")
    body = await body_of(request)
    _check_service_update(body)
    cloud = cloud_of(request)
    svc = fleet.nova_service(cloud, service_id)
    if svc is None:
        if not _is_uuid(service_id):
            raise CloudError(400, f"Invalid uuid {service_id}")
        raise CloudError(404, f"Service {service_id} could not be found.")
    if svc["binary"] != "nova-compute":
        raise CloudError(400, f"Updating a {svc['binary']} service is not supported. Only "
                              "nova-compute services can be updated.")
    changes = {"changed_at": fleet.now().isoformat()}
    if "status" in body:
        changes.update(status=body["status"], disabled_reason=body.get("disabled_reason")
                       if body["status"] == "disabled" else None)
    if "forced_down" in body:
        changes["forced_down"] = body["forced_down"]
    fleet.change(cloud, svc["host"], svc["binary"], **changes)
    return json_response({"service": _service_view(request, fleet.nova_service(
        cloud, service_id))})


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
        return True
    except ValueError:
        return False


def _hypervisors(cloud) -> list[tuple[int, dict]]:
    """(integer id, nova-compute service) per compute host, in Nova's id order."""
    computes = [s for s in fleet.nova_services(cloud) if s["binary"] == "nova-compute"]
    return list(enumerate(computes, start=1))


def _hypervisor(request, compute, number: int, svc: dict, detail: bool) -> dict:
    new_ids = mv(request, "2.53")
    host = svc["host"]
    view = {"id": fleet.hypervisor_id(host) if new_ids else number,
            "hypervisor_hostname": host, "state": svc["state"], "status": svc["status"]}
    if not detail:
        return view
    view.update({"hypervisor_type": "QEMU", "hypervisor_version": 8002000,
                 "host_ip": "127.0.0.1",
                 "service": {"id": svc["uuid"] if new_ids else svc["number"], "host": host,
                             "disabled_reason": svc["disabled_reason"]}})
    if mv(request, "2.88"):
        view["uptime"] = None
        return view
    used = hosts.usage(compute.store, host)
    cpu_info = {"arch": "x86_64", "model": "Haswell-noTSX", "vendor": "Intel",
                "features": ["pge", "clflush"],
                "topology": {"cores": 1, "threads": 1, "sockets": 4}}
    view.update({
        "vcpus": CAPACITY["vcpus"], "memory_mb": CAPACITY["memory_mb"],
        "local_gb": CAPACITY["local_gb"], "vcpus_used": used["vcpus"],
        "memory_mb_used": used["memory_mb"], "local_gb_used": used["local_gb"],
        "free_ram_mb": CAPACITY["memory_mb"] - used["memory_mb"],
        "free_disk_gb": CAPACITY["local_gb"] - used["local_gb"],
        "current_workload": 0, "running_vms": used["running_vms"],
        "disk_available_least": CAPACITY["local_gb"] - used["local_gb"],
        "cpu_info": cpu_info if mv(request, "2.28") else __import__("json").dumps(cpu_info),
    })
    return view


def _hypervisor_list(request, detail: bool) -> list[dict]:
    compute = compute_of(request)
    return [_hypervisor(request, compute, number, svc, detail)
            for number, svc in _hypervisors(cloud_of(request))]


@nova
async def list_hypervisors(request):
    require_admin(request, "os_compute_api:os-hypervisors:list")
    return json_response({"hypervisors": _hypervisor_list(request, False)})


@nova
async def list_hypervisors_detail(request):
    require_admin(request, "os_compute_api:os-hypervisors:list-detail")
    return json_response({"hypervisors": _hypervisor_list(request, True)})


@nova
async def show_hypervisor(request):
    require_admin(request, "os_compute_api:os-hypervisors:show")
    wanted = request.match_info["hypervisor_id"]
    for number, svc in _hypervisors(cloud_of(request)):
        if wanted in (fleet.hypervisor_id(svc["host"]), str(number)):
            return json_response({"hypervisor": _hypervisor(
                request, compute_of(request), number, svc, True)})
    raise CloudError(404, f"Hypervisor with ID '{wanted}' could not be found.")


@nova
async def availability_zones(request):
    return json_response({"availabilityZoneInfo": [
        {"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}]})


@nova
async def availability_zones_detail(request):
    require_admin(request, "os_compute_api:os-availability-zone:detail")
    zones: dict[str, dict] = {"internal": {}, "nova": {}}
    for svc in fleet.nova_services(cloud_of(request)):
        zones[svc["zone"]].setdefault(svc["host"], {})[svc["binary"]] = {
            "available": svc["state"] == "up", "active": svc["status"] == "enabled",
            "updated_at": iso_micro(svc["updated_at"])}
    return json_response({"availabilityZoneInfo": [
        {"zoneName": name, "zoneState": {"available": True}, "hosts": found}
        for name, found in zones.items()]})


def routes(r, prefix: str) -> None:
    add_root(r, "/compute", versions)
    add_root(r, prefix, version_v21)
    r.add_get(f"{prefix}/limits", limits)
    q = add_resource(r, f"{prefix}/os-quota-sets", show=show_quota, update=update_quota,
                     delete=delete_quota, key="project_id")
    r.add_get(f"{q}/detail", show_quota_detail)
    r.add_get(f"{q}/defaults", show_quota_defaults)
    add_resource(r, f"{prefix}/os-services", list_=list_services, update=update_service,
                 key="service_id")
    r.add_get(f"{prefix}/os-hypervisors/detail", list_hypervisors_detail)  # before {id}
    add_resource(r, f"{prefix}/os-hypervisors", list_=list_hypervisors, show=show_hypervisor,
                 key="hypervisor_id")
    r.add_get(f"{prefix}/os-availability-zone", availability_zones)
    r.add_get(f"{prefix}/os-availability-zone/detail", availability_zones_detail)
