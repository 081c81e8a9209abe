"""Server views, field by field as Nova shows them at each microversion.

The rules (checked against a real Nova at 2.1 ... 2.104):
  2.3  more OS-EXT-SRV-ATTR:* for admin      2.9  locked
  2.16 host_status (admin)                   2.19 description
  2.26 tags                                  2.47 flavor embedded, not linked
  2.63 trusted_image_certificates            2.71 server_groups (show only)
  2.73 locked_reason                         2.90 OS-EXT-SRV-ATTR:hostname for everyone
  2.96 pinned_availability_zone              2.98 image properties embedded
  2.100 scheduler_hints
Addresses are hidden while a server builds; security_groups come from its ports.
"""

import hashlib

from ..cloud import CLOUD_KEY
from .api import bookmark, links, mv
from .volume_attachments import attachments_by_server

PROGRESS_STATUSES = {"ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"}
REBUILD = {"rebuilding": "REBUILD", "rebuild_block_device_mapping": "REBUILD",
           "rebuild_spawning": "REBUILD"}
RESIZE = {"resize_prep": "RESIZE", "resize_migrating": "RESIZE", "resize_migrated": "RESIZE",
          "resize_finish": "RESIZE"}
TASK_STATUS = {
    "rebooting": "REBOOT", "reboot_pending": "REBOOT", "reboot_started": "REBOOT",
    "rebooting_hard": "HARD_REBOOT", "reboot_pending_hard": "HARD_REBOOT",
    "reboot_started_hard": "HARD_REBOOT",
}
# Nova's api/openstack/common.py _STATE_MAP: vm_state's status, unless its task_state
# names another.
STATE_MAP = {
    "active": {**TASK_STATUS, "updating_password": "PASSWORD", **REBUILD,
               "migrating": "MIGRATING", **RESIZE},
    "stopped": {**RESIZE, **REBUILD},
    "resized": {"resize_reverting": "REVERT_RESIZE"},
    "paused": {"migrating": "MIGRATING"},
    "error": dict(REBUILD),
}
VM_STATUS = {"active": "ACTIVE", "building": "BUILD", "stopped": "SHUTOFF", "error": "ERROR",
             "deleted": "DELETED", "paused": "PAUSED", "suspended": "SUSPENDED",
             "soft-delete": "SOFT_DELETED", "shelved": "SHELVED",
             "shelved_offloaded": "SHELVED_OFFLOADED", "rescued": "RESCUE",
             "resized": "VERIFY_RESIZE"}


def status(server: dict) -> str:
    if server.get("deleted"):
        return "DELETED"
    by_task = STATE_MAP.get(server["vm_state"], {})
    if server["task_state"] in by_task:
        return by_task[server["task_state"]]
    return VM_STATUS.get(server["vm_state"], "UNKNOWN")


def host_id(server: dict) -> str:
    if not server.get("host"):
        return ""
    return hashlib.sha224((server["project_id"] + server["host"]).encode()).hexdigest()


class ViewOptions:
    """What one request may see; computed once per list call, not per server."""

    def __init__(self, request):
        ctx = request["ctx"]
        self.request = request
        self.admin = ctx.is_admin
        self.flags = {v: mv(request, v) for v in (
            "2.3", "2.9", "2.16", "2.19", "2.26", "2.47", "2.63", "2.71", "2.73", "2.90",
            "2.96", "2.98", "2.100")}
        self._attached = None

    def volumes_attached(self, server_id: str) -> list[dict]:
        """os-extended-volumes:volumes_attached; Cinder's attachments indexed once per call."""
        if self._attached is None:
            self._attached = attachments_by_server(self.request.app[CLOUD_KEY])
        return [{"id": a["id"], "delete_on_termination": a["delete_on_termination"]}
                if self.flags["2.3"] else {"id": a["id"]}
                for a in self._attached.get(server_id, ())]


def _flavor(opts: ViewOptions, server: dict) -> dict:
    f = server["flavor"]
    if opts.flags["2.47"]:
        return {"vcpus": f["vcpus"], "ram": f["ram"], "disk": f["disk"],
                "ephemeral": f["ephemeral"], "swap": f["swap"], "original_name": f["name"],
                "extra_specs": dict(f.get("extra_specs", {}))}
    return {"id": f["id"], "links": bookmark(opts.request, "flavors", f["id"])}


def _image(opts: ViewOptions, server: dict):
    if not server.get("image_id"):
        return ""
    image = {"id": server["image_id"],
             "links": bookmark(opts.request, "images", server["image_id"])}
    if opts.flags["2.98"]:
        image["properties"] = {}
    return image


def _fault(server: dict) -> dict | None:
    fault = server.get("fault")
    if not fault:
        return None
    return {"code": fault["code"], "created": fault["created"], "message": fault["message"]}


def _groups(server: dict, groups: list[str] | None) -> list[dict] | None:
    """Nova shows the groups of the server's ports (none: no key); `groups` as
    network_parts() found them, the ones asked at boot without a network service."""
    if not server.get("has_ports") or server.get("deleted"):
        return None
    names = server["security_groups"] if groups is None else groups
    return [{"name": n} for n in names] or None


def network_parts(compute, servers: list[dict]) -> tuple[dict, dict]:
    """Addresses and security group names for a page, each in one call to Neutron; none
    for servers without ports."""
    ids = [s["id"] for s in servers if s.get("has_ports") and s["vm_state"] != "building"]
    if not ids:
        return {}, {}
    return (compute.network.server_addresses(ids),
            compute.network.server_security_groups(ids))


def server_view(opts: ViewOptions, server: dict, addresses: dict | None,
                show: bool = False, groups: list[str] | None = None) -> dict:
    """The detailed view of one server (GET /servers/{id} and /servers/detail)."""
    st = status(server)
    building = server["vm_state"] == "building" or server.get("deleted")
    view = {
        "accessIPv4": server.get("access_ipv4") or "",
        "accessIPv6": server.get("access_ipv6") or "",
        "addresses": {} if building else (addresses or {}),
        "created": server["created"],
        "flavor": _flavor(opts, server),
        "hostId": host_id(server),
        "id": server["id"],
        "image": _image(opts, server),
        "links": links(opts.request, "servers", server["id"]),
        "metadata": dict(server["metadata"]),
        "name": server["name"],
        "status": st,
        "tenant_id": server["project_id"],
        "user_id": server["user_id"],
        "updated": server["updated"],
        "OS-DCF:diskConfig": "MANUAL",
    }
    if st in ("ERROR", "DELETED") and _fault(server):
        view["fault"] = _fault(server)
    if st in PROGRESS_STATUSES:
        view["progress"] = 0
    view["OS-EXT-AZ:availability_zone"] = server.get("availability_zone") or ""
    view["config_drive"] = ""
    view["key_name"] = server.get("key_name")
    view["OS-SRV-USG:launched_at"] = server.get("launched_at")
    view["OS-SRV-USG:terminated_at"] = server.get("terminated_at")
    shown_groups = _groups(server, groups)
    if show and shown_groups:
        view["security_groups"] = shown_groups
    if opts.admin:
        view["OS-EXT-SRV-ATTR:host"] = server.get("host")
        view["OS-EXT-SRV-ATTR:instance_name"] = server["instance_name"]
        view["OS-EXT-SRV-ATTR:hypervisor_hostname"] = server.get("host")
        if opts.flags["2.3"]:
            view.update({
                "OS-EXT-SRV-ATTR:hostname": server["hostname"],
                "OS-EXT-SRV-ATTR:kernel_id": "",
                "OS-EXT-SRV-ATTR:launch_index": server["launch_index"],
                "OS-EXT-SRV-ATTR:ramdisk_id": "",
                "OS-EXT-SRV-ATTR:reservation_id": server["reservation_id"],
                "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda" if server.get("host") else None,
                "OS-EXT-SRV-ATTR:user_data": server.get("user_data"),
            })
    view["OS-EXT-STS:task_state"] = server["task_state"]
    view["OS-EXT-STS:vm_state"] = server["vm_state"]
    view["OS-EXT-STS:power_state"] = server["power_state"]
    view["os-extended-volumes:volumes_attached"] = opts.volumes_attached(server["id"])
    _add_late_fields(opts, server, view, show)
    if not show and shown_groups:
        # detail adds the groups for all servers at the end, as Nova does
        view["security_groups"] = shown_groups
    return view


def _add_late_fields(opts: ViewOptions, server: dict, view: dict, show: bool) -> None:
    flags = opts.flags
    if flags["2.9"]:
        view["locked"] = bool(server.get("locked"))
    if flags["2.16"] and opts.admin:
        view["host_status"] = "UP" if server.get("host") else ""
    if flags["2.19"]:
        view["description"] = server.get("description")
    if flags["2.26"]:
        view["tags"] = list(server.get("tags", []))
    if flags["2.63"]:
        view["trusted_image_certificates"] = None
    if flags["2.71"] and show:
        view["server_groups"] = []
    if flags["2.73"]:
        view["locked_reason"] = server.get("locked_reason")
    if flags["2.90"] and not opts.admin:
        view["OS-EXT-SRV-ATTR:hostname"] = server["hostname"]
    if flags["2.96"]:
        view["pinned_availability_zone"] = server.get("pinned_availability_zone")
    if flags["2.100"]:
        view["scheduler_hints"] = {}


def summary_view(request, server: dict) -> dict:
    return {"id": server["id"], "name": server["name"],
            "links": links(request, "servers", server["id"])}


def created_view(request, server: dict, security_groups: list[str], admin_pass: str) -> dict:
    return {"server": {"id": server["id"], "links": links(request, "servers", server["id"]),
                       "OS-DCF:diskConfig": "MANUAL",
                       "security_groups": [{"name": n} for n in security_groups],
                       "adminPass": admin_pass}}
