"""Nova's versioned notifications (devcloud --notifications URL), as the real Nova 2026.2
sends them with notification_format=versioned and the messagingv2 driver (captured on
../shared/realcloud's bus: tests/devcloud/notifications_real.json):

    exchange `nova`, routing key `versioned_notifications.info`, the oslo 2.0 envelope,
    publisher_id "nova-compute:<host>", payload a versioned object
    {"nova_object.name", "nova_object.namespace": "nova", "nova_object.version",
     "nova_object.data"}: InstanceActionPayload 1.9 for most, InstanceCreatePayload 1.13
    (create), InstanceActionResizePrepPayload 1.4 (resize_prep), InstanceActionVolumePayload
    1.7 (volume_attach/detach), InstanceExistsPayload 2.1 (the usage audit a resize sends)

and in the order the real one sends them per server: create.start/.end; power_off,
power_on, reboot .start/.end; resize: exists, resize_prep, resize, resize_finish
.start/.end; resize_confirm; volume_attach/volume_detach; delete.start, shutdown.start/.end,
delete.end. Nova sends no instance.update unless notify_on_state_change is set (the real
cloud keeps the default, so neither does devcloud). Day-2 actions the scenario did not
capture (pause, suspend, rescue, shelve, rebuild, snapshot, revert) follow Nova's names for
them (instance.<action>.start/.end) with the InstanceActionPayload shape.
"""

from datetime import datetime

from .api import iso, now

VERSIONS = {"InstanceActionPayload": "1.9", "InstanceCreatePayload": "1.13",
            "InstanceActionResizePrepPayload": "1.4", "InstanceActionVolumePayload": "1.7",
            "InstanceExistsPayload": "2.1", "FlavorPayload": "1.4", "IpPayload": "1.0",
            "AuditPeriodPayload": "1.0"}
POWER = {0: "pending", 1: "running", 3: "paused", 4: "shutdown", 6: "crashed",
         7: "suspended"}
# a power action's first task_state → Nova's notification name for it
POWER_ACTIONS = {"powering-off": "power_off", "powering-on": "power_on",
                 "rebooting": "reboot", "rebooting_hard": "reboot",
                 "reboot_started": "reboot", "reboot_started_hard": "reboot"}
# a day-2 flow (flows.FLOWS) → what it sends when it starts, at a task_state, and at its end
FLOW_EVENTS = {
    "resize": {"begin": ("exists", "resize_prep.start", "resize_prep.end"),
               "resize_migrating": ("resize.start",), "resize_migrated": ("resize.end",),
               "resize_finish": ("resize_finish.start",), "end": ("resize_finish.end",)},
    "confirmResize": {"begin": ("resize_confirm.start",), "end": ("resize_confirm.end",)},
    "revertResize": {"begin": ("resize_revert.start",), "end": ("resize_revert.end",)},
    "revertResize-stopped": {"begin": ("resize_revert.start",), "end": ("resize_revert.end",)},
    "shelve": {"begin": ("shelve.start",),
               "shelving_offloading": ("shelve.end", "shelve_offload.start"),
               "end": ("shelve_offload.end",)},
    "shelveOffload": {"begin": ("shelve_offload.start",), "end": ("shelve_offload.end",)},
    "rebuild-stopped": {"begin": ("rebuild.start",), "end": ("rebuild.end",)},
    "createImage": {"begin": ("snapshot.start",), "end": ("snapshot.end",)},
}
WITH_BLOCK_DEVICES = ("create.", "delete.", "shutdown.", "reboot.", "resize.",
                      "resize_finish.")
SIMPLE_FLOWS = ("pause", "unpause", "suspend", "resume", "rescue", "unrescue", "unshelve",
                "rebuild")


def _obj(name: str, data: dict) -> dict:
    return {"nova_object.data": data, "nova_object.name": name,
            "nova_object.namespace": "nova", "nova_object.version": VERSIONS[name]}


def _z(stamp: str | None) -> str | None:
    """Nova's payload times: 2026-12-01T16:12:29Z (devcloud keeps some with microseconds)."""
    if not stamp:
        return None
    return iso(datetime.fromisoformat(stamp.rstrip("Z")))


def _flavor(f: dict) -> dict:
    return _obj("FlavorPayload", {
        "description": f.get("description"), "disabled": bool(f.get("disabled")),
        "ephemeral_gb": f.get("ephemeral", 0), "extra_specs": dict(f.get("extra_specs") or {}),
        "flavorid": f["id"], "is_public": bool(f.get("is_public", True)),
        "memory_mb": f["ram"], "name": f["name"], "projects": None, "root_gb": f["disk"],
        "rxtx_factor": float(f.get("rxtx_factor", 1.0)), "swap": f.get("swap") or 0,
        "vcpu_weight": 0, "vcpus": f["vcpus"]})


def _ips(compute, server: dict) -> list[dict]:
    out = []
    for port in compute.network.server_ports(server["id"]):
        label = (compute.network.network(port.get("network_id")) or {}).get("name")
        for fixed in port.get("fixed_ips") or []:
            address = fixed["ip_address"]
            out.append(_obj("IpPayload", {
                "address": address, "device_name": f"tap{port['id'][:11]}", "label": label,
                "mac": port.get("mac_address"), "meta": {}, "port_uuid": port["id"],
                "version": 6 if ":" in address else 4}))
    return out


def _last_action(server: dict) -> dict:
    actions = server.get("actions") or []
    return actions[-1] if actions else {}


def instance_data(compute, server: dict, event: str, **over) -> dict:
    """InstancePayload's fields for a server as it is now (`over` for the moments a real
    Nova reports other values, e.g. create.start before the host is chosen)."""
    action = _last_action(server)
    deleted = server.get("deleted")
    data = {
        "action_initiator_project": server["project_id"],
        "action_initiator_user": action.get("user_id") or server["user_id"],
        "architecture": None, "auto_disk_config": "MANUAL",
        "availability_zone": server.get("availability_zone"),
        # the actions whose compute manager method loads the block devices (the others
        # send None: not loaded, rather than none)
        "block_devices": [] if event.startswith(WITH_BLOCK_DEVICES) else None,
        "created_at": _z(server["created"]), "deleted_at": _z(server["updated"])
        if deleted else None, "display_description": server.get("description"),
        "display_name": server["name"], "fault": None, "flavor": _flavor(server["flavor"]),
        "host": server.get("host"), "host_name": server.get("hostname"),
        "image_uuid": server.get("image_id") or "",
        "ip_addresses": [] if deleted else _ips(compute, server), "kernel_id": "",
        "key_name": server.get("key_name"), "launched_at": _z(server.get("launched_at")),
        "locked": bool(server.get("locked")), "locked_reason": server.get("locked_reason"),
        "metadata": dict(server.get("metadata") or {}), "node": server.get("host"),
        "os_type": None, "power_state": POWER.get(server["power_state"], "pending"),
        "progress": 0, "ramdisk_id": "", "request_id": action.get("request_id"),
        "reservation_id": server.get("reservation_id"), "shares": None,
        "state": server["vm_state"], "task_state": server["task_state"],
        "tenant_id": server["project_id"], "terminated_at": _z(server.get("terminated_at")),
        "updated_at": _z(server["updated"]), "user_id": server["user_id"],
        "uuid": server["id"]}
    data.update(over)
    return data


def payload(compute, server: dict, event: str, **over) -> dict:
    data = instance_data(compute, server, event, **over)
    if event.startswith("create."):
        data.update({"instance_name": server.get("instance_name"), "keypairs": [],
                     "tags": list(server.get("tags") or []),
                     "trusted_image_certificates": None})
        return _obj("InstanceCreatePayload", data)
    if event.startswith("resize_prep."):
        data["new_flavor"] = _flavor(server.get("new_flavor") or server["flavor"])
        return _obj("InstanceActionResizePrepPayload", data)
    if event.startswith(("volume_attach.", "volume_detach.")):
        return _obj("InstanceActionVolumePayload", data)
    if event == "exists":
        data.pop("fault")
        stamp = now()
        data["audit_period"] = _obj("AuditPeriodPayload", {
            "audit_period_beginning": iso(stamp.replace(hour=0, minute=0, second=0)),
            "audit_period_ending": iso(stamp)})
        return _obj("InstanceExistsPayload", data)
    return _obj("InstanceActionPayload", data)


def context(server: dict) -> dict:
    """The request context Nova's notifications carry (its RequestContext's to_dict)."""
    action = _last_action(server)
    meta = server.get("boot_meta") or {}
    return _context(user=action.get("user_id") or server["user_id"],
                    project=server["project_id"],
                    project_name=meta.get("owner_project_name") or None,
                    roles=[r for r in (meta.get("boot_roles") or "").split(",") if r],
                    request_id=action.get("request_id"), is_admin=False,
                    user_name=meta.get("owner_user_name") or None)


def _context(*, user, project, project_name, roles, request_id, is_admin,
             user_name) -> dict:
    return {
        "_context_auth_token": None, "_context_domain": None,
        "_context_global_request_id": None, "_context_is_admin": is_admin,
        "_context_is_admin_project": True, "_context_project": project,
        "_context_project_domain": "default", "_context_project_id": project,
        "_context_project_name": project_name,
        "_context_quota_class": None, "_context_read_deleted": "no",
        "_context_read_only": False, "_context_remote_address": None,
        "_context_request_id": request_id, "_context_resource_uuid": None,
        "_context_roles": list(roles),
        "_context_service_catalog": [], "_context_show_deleted": False,
        "_context_system_scope": None,
        "_context_timestamp": now().strftime("%Y-%m-%dT%H:%M:%S.%f"), "_context_user": user,
        "_context_user_domain": "default", "_context_user_id": user,
        "_context_user_identity": f"{user} {project} - default default",
        "_context_user_name": user_name}


def send_keypair(compute, ctx, request_id: str, event: str, keypair: dict) -> None:
    """keypair.<create|import|delete>.<start|end>, as nova-api sends them (KeypairPayload
    1.0; a create's start knows no key yet, an import's start no fingerprint yet)."""
    notifier = compute.cloud.notifier
    if notifier is None:
        return
    action, phase = event.split(".")
    data = {"user_id": keypair["user_id"], "name": keypair["name"],
            "fingerprint": keypair["fingerprint"], "public_key": keypair["public_key"],
            "type": keypair.get("type", "ssh")}
    if phase == "start" and action in ("create", "import"):
        data["fingerprint"] = None
        if action == "create":
            data["public_key"] = None
    notifier.send(exchange="nova", topic="versioned_notifications",
                  publisher="nova-api:devcloud", event_type=f"keypair.{event}",
                  payload={"nova_object.name": "KeypairPayload",
                           "nova_object.namespace": "nova", "nova_object.version": "1.0",
                           "nova_object.data": data},
                  context=_context(user=ctx.user_id, project=ctx.project_id,
                                   project_name=ctx.project_name, roles=ctx.roles,
                                   request_id=request_id, is_admin=ctx.is_admin,
                                   user_name=ctx.user_name))


def send(compute, server: dict, *events: str, **over) -> None:
    """Send instance.<event> for each event, in order (nothing without --notifications)."""
    notifier = compute.cloud.notifier
    if notifier is None:
        return
    host = server.get("host") or "devcloud"
    for event in events:
        notifier.send(exchange="nova", topic="versioned_notifications",
                      publisher=f"nova-compute:{host}", event_type=f"instance.{event}",
                      payload=payload(compute, server, event, **over),
                      context=context(server))


def flow_events(name: str, when: str) -> tuple[str, ...]:
    """What a day-2 flow sends when it begins, reaches a task_state, or ends."""
    if name in FLOW_EVENTS:
        return FLOW_EVENTS[name].get(when, ())
    if name in SIMPLE_FLOWS and when in ("begin", "end"):
        return (f"{name}.{'start' if when == 'begin' else 'end'}",)
    return ()
