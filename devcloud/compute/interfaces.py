"""/servers/{id}/os-interface: list, show, attach (net_id or port_id, a port made through
devcloud's Neutron), detach, as Nova's attach_interfaces controller answers them.

Attach and detach are refused by a lock and need active/paused/stopped with no task_state
("Cannot 'attach_interface' ..."); both are instance actions. A detach of a port the server
does not have is accepted (202) and its action ends in Error, as nova-compute fails it later;
an attach to an unknown network is the real Nova's 500 (its compute's NetworkNotFound comes
back over RPC as a RemoteError).
"""

from aiohttp import web

from ..errors import CloudError
from . import instance_actions
from .api import body_of, compute_of, invalid_input, json_response, mv, nova, policy_error
from .netlink import nova_error
from .snapshot import image_id_ok
from .states import check_lock, check_state

IFACE_STATES = {"active", "paused", "stopped"}
RPC_ERROR = ("Unexpected API Error. Please contact the administrator\n"
             "<class 'oslo_messaging.rpc.client.RemoteError'>")


def _view(request, port: dict) -> dict:
    info = {"net_id": port["network_id"], "port_id": port["id"],
            "mac_addr": port["mac_address"], "port_state": port["status"],
            "fixed_ips": [{"subnet_id": f["subnet_id"], "ip_address": f["ip_address"]}
                          for f in port.get("fixed_ips", [])]}
    if mv(request, "2.70"):
        info["tag"] = None
    return info


def _server(request):
    return compute_of(request).get(request.match_info["server_id"], request["ctx"])


@nova
async def list_interfaces(request):
    server = _server(request)
    ports = sorted(compute_of(request).network.server_ports(server["id"]),
                   key=lambda p: p["id"])
    return json_response({"interfaceAttachments": [_view(request, p) for p in ports]})


@nova
async def show_interface(request):
    server = _server(request)
    port_id = request.match_info["port_id"]
    port = compute_of(request).cloud.store["ports"].get(port_id)
    if port is None or (port["project_id"] != request["ctx"].project_id
                        and not request["ctx"].is_admin):
        raise CloudError(404, f"Port id {port_id} could not be found.")
    if port["device_id"] != server["id"]:
        raise CloudError(404, f"Instance {server['id']} does not have a port with id "
                              f"{port_id}")
    return json_response({"interfaceAttachment": _view(request, port)})


def _attachment(body: dict) -> tuple:
    attachment = body.get("interfaceAttachment") if body else None
    if attachment is None:
        return None, None, None
    if not isinstance(attachment, dict):
        raise invalid_input("interfaceAttachment", attachment,
                            f"{attachment!r} is not of type 'object'")
    for field in ("net_id", "port_id"):
        value = attachment.get(field)
        if value is not None and not image_id_ok(value):
            raise invalid_input(field, value, f"'{value}' is not a 'uuid'")
    ips = attachment.get("fixed_ips") or []
    ip = ips[0].get("ip_address") if ips and isinstance(ips[0], dict) else None
    return attachment.get("net_id"), attachment.get("port_id"), ip


def _auto_network(compute, project_id: str) -> str:
    """No network asked: the one the project can use (Nova's allocate_for_instance)."""
    nets = [n for n in compute.network.visible_networks(project_id)
            if not n.get("router:external") or n.get("shared")]
    if len(nets) > 1:
        raise CloudError(400, "Multiple possible networks found, use a Network ID to be more "
                              "specific.")
    if not nets:
        raise CloudError(400, "No specific network was requested and none are available for "
                              f"project '{project_id}'.")
    return nets[0]["id"]


@nova
async def attach_interface(request):
    compute = compute_of(request)
    server = _server(request)
    body = await body_of(request) if request.can_read_body else {}
    ctx = request["ctx"]
    if not ctx.can_write:
        raise policy_error("os_compute_api:os-attach-interfaces:create")
    network_id, port_id, ip = _attachment(body)
    if network_id and port_id:
        raise CloudError(400, "Must not input both network_id and port_id")
    if ip and not network_id:
        raise CloudError(400, "Must input network_id when request IP address")
    check_lock(server, ctx)
    check_state(server, "attach_interface", IFACE_STATES)
    compute.record_action(server, "attach_interface", ctx, request["request_id"])
    try:
        if not port_id and not network_id:
            network_id = _auto_network(compute, server["project_id"])
        port = compute.network.create_server_port(
            server["project_id"], network_id=network_id, port_id=port_id,
            device_id=server["id"], fixed_ip=ip)
    except CloudError as err:
        if err.kind == "PortNotFound":   # Nova's API looks the port up itself: no RPC
            instance_actions.abandon(server)
            compute.store.touch()
            raise CloudError(404, f"Port id {port_id} could not be found.") from None
        compute.finish_actions(server, message="Error")
        if err.kind == "NetworkNotFound":
            raise CloudError(500, RPC_ERROR) from None
        if not err.kind:      # Nova's own refusal (no network to pick)
            raise
        raise nova_error(err, network_id, port_id) from None
    # bound to the running host at once, as the real cloud's ML2 binds it: ACTIVE
    port["status"] = "ACTIVE"
    port["revision_number"] += 1
    server["has_ports"] = True
    compute.finish_actions(server)   # the server's `updated` stays as it was, as in Nova
    return json_response({"interfaceAttachment": _view(request, port)})


@nova
async def detach_interface(request):
    compute = compute_of(request)
    server = _server(request)
    ctx = request["ctx"]
    if not ctx.can_write:
        raise policy_error("os_compute_api:os-attach-interfaces:delete")
    check_lock(server, ctx)
    check_state(server, "detach_interface", IFACE_STATES)
    compute.record_action(server, "detach_interface", ctx, request["request_id"])
    if compute.network.release_server_port(server["id"], request.match_info["port_id"]):
        server["has_ports"] = bool(compute.network.server_ports(server["id"]))
        compute.finish_actions(server)
    else:
        compute.finish_actions(server, message="Error")
    return web.Response(status=202)


def routes(r, prefix: str) -> None:
    base = f"{prefix}/servers/{{server_id}}/os-interface"
    r.add_get(base, list_interfaces)
    r.add_post(base, attach_interface)
    r.add_get(f"{base}/{{port_id}}", show_interface)
    r.add_delete(f"{base}/{{port_id}}", detach_interface)
