"""Routers: external gateway (a port on the external network), interfaces on subnets
(a port holding the subnet's gateway IP), static routes."""

import ipaddress

from aiohttp import web

from ..routes import add_resource
from . import api, ports
from .util import CloudError, bad_request, bump, conflict, new_id, not_found, policy, stamp

CREATE = {"name", "admin_state_up", "external_gateway_info", "description", "tenant_id",
          "project_id", "tags", "distributed", "ha", "availability_zone_hints", "flavor_id"}
UPDATE = {"name", "admin_state_up", "external_gateway_info", "routes", "description",
          "distributed", "ha"}
FIELDS = CREATE | {"id", "status", "routes", "availability_zones", "created_at", "updated_at",
                   "revision_number"}
IFACE = "network:router_interface"
GATEWAY = "network:router_gateway"


def render(ctx, router: dict) -> dict:
    return dict(router)


def bad_router(message: str) -> CloudError:
    return bad_request(f"Bad router request: {message}", "BadRequest")


def interfaces(state, router_id: str) -> list[dict]:
    return [p for p in state.ports_of(router_id) if p["device_owner"] == IFACE]


def _gateway_port(state, router_id: str) -> dict | None:
    return next((p for p in state.ports_of(router_id) if p["device_owner"] == GATEWAY), None)


def _fips_using(state, router_id: str) -> list[dict]:
    return [f for f in state["floatingips"].values() if f["router_id"] == router_id]


def set_gateway(state, ctx, router: dict, info: dict | None) -> None:
    """Set, change or clear the external gateway."""
    current = router["external_gateway_info"]
    if info and current and info.get("network_id") == current["network_id"] \
            and not info.get("external_fixed_ips"):
        if "enable_snat" in info:
            current["enable_snat"] = api.as_bool(info["enable_snat"], "enable_snat")
        return
    if current and _fips_using(state, router["id"]) and (
            not info or info.get("network_id") != current["network_id"]):
        raise conflict(f"Gateway cannot be updated for router {router['id']}, since a gateway "
                       f"to external network {current['network_id']} is required by one or "
                       f"more floating IPs.", "RouterExternalGatewayInUseByFloatingIp")
    if info:
        network_id = info.get("network_id")
        network = state["networks"].get(network_id)
        if network is None or not state.can_see(ctx, "networks", network):
            raise not_found("networks", network_id)
        if not network["router:external"]:
            raise bad_router(f"Network {network_id} is not an external network")
        if "enable_snat" in info and ctx is not None and not ctx.is_admin:
            raise policy("update_router:external_gateway_info:enable_snat")
        fixed = info.get("external_fixed_ips") or None
        if fixed and ctx is not None and not ctx.is_admin:
            raise policy("update_router:external_gateway_info:external_fixed_ips")
        new_port = ports.build(state, project_id="", network=network, fixed_ips=fixed,
                               device_id=router["id"], device_owner=GATEWAY, status="ACTIVE",
                               host="devcloud", check_quota=False)
    old = _gateway_port(state, router["id"]) if current else None
    if old and (not info or old is not new_port):
        ports.delete(state, old)
    router["external_gateway_info"] = None if not info else {
        "network_id": network_id,
        "external_fixed_ips": [dict(ip) for ip in new_port["fixed_ips"]],
        "enable_snat": api.as_bool(info.get("enable_snat", True), "enable_snat")}
    bump(router)


def _check_routes(state, router: dict, routes: list) -> list[dict]:
    nets = [ipaddress.ip_network(state["subnets"][ip["subnet_id"]]["cidr"])
            for p in state.ports_of(router["id"]) for ip in p["fixed_ips"]
            if ip["subnet_id"] in state["subnets"]]
    out = []
    for route in routes or []:
        try:
            dest = ipaddress.ip_network(route["destination"])
            hop = ipaddress.ip_address(route["nexthop"])
        except (KeyError, TypeError, ValueError):
            raise bad_request(f"Invalid input for routes. Reason: Invalid data format for "
                              f"hostroute: '{route}'.") from None
        if not any(hop in n for n in nets):
            raise bad_request(f"Invalid format for routes: {routes}, the nexthop is not "
                              f"connected with router", "InvalidRoutes")
        out.append({"destination": str(dest), "nexthop": str(hop)})
    return out


def create_router(state, ctx, project_id: str, data: dict) -> dict:
    state.check_quota(project_id, "router")
    router = {**api.base_attrs(new_id(), project_id, stamp()), "name": data.get("name", ""),
              "admin_state_up": api.as_bool(data.get("admin_state_up", True),
                                            "admin_state_up"),
              "status": "ACTIVE", "external_gateway_info": None,
              "description": data.get("description", ""), "availability_zones": [],
              "availability_zone_hints": list(data.get("availability_zone_hints", [])),
              "routes": [], "flavor_id": None, "tags": list(data.get("tags", [])),
              "revision_number": 1}
    state.put("routers", router)
    if data.get("external_gateway_info"):
        try:
            set_gateway(state, ctx, router, data["external_gateway_info"])
        except CloudError:
            state.remove("routers", router["id"])
            raise
    return router


def _overlap_check(state, router: dict, subnet: dict) -> None:
    new = ipaddress.ip_network(subnet["cidr"])
    for port in interfaces(state, router["id"]):
        for ip in port["fixed_ips"]:
            other = state["subnets"].get(ip["subnet_id"])
            if other is None:
                continue
            if other["id"] == subnet["id"]:
                raise bad_router(f"Router already has a port on subnet {subnet['id']}.")
            if ipaddress.ip_network(other["cidr"]).overlaps(new):
                raise bad_router(f"Cidr {subnet['cidr']} of subnet {subnet['id']} overlaps "
                                 f"with cidr {other['cidr']} of subnet {other['id']}.")


def add_interface(state, ctx, router: dict, body: dict) -> dict:
    if bool(body.get("subnet_id")) == bool(body.get("port_id")):
        raise bad_router("Either subnet_id or port_id must be specified")
    if body.get("port_id"):
        port = state.get(ctx, "ports", body["port_id"])
        if port["device_id"]:
            raise conflict(f"Unable to complete operation on port {port['id']} for network "
                           f"{port['network_id']}. Port already has an attached device "
                           f"{port['device_id']}.", "PortInUse")
        if not port["fixed_ips"]:
            raise bad_router("Router port must have at least one fixed IP")
        for ip in port["fixed_ips"]:
            _overlap_check(state, router, state["subnets"][ip["subnet_id"]])
        port = ports.bind(state, port, device_id=router["id"], device_owner=IFACE,
                          host="devcloud")
        port["status"] = "ACTIVE"
        subnet = state["subnets"][port["fixed_ips"][0]["subnet_id"]]
    else:
        subnet = state.get(ctx, "subnets", body["subnet_id"])
        if ctx is not None and not ctx.is_admin and subnet["project_id"] != ctx.project_id:
            raise bad_router(f"Cannot add interface to router because subnet {subnet['id']} is "
                             f"not owned by project making the request.")
        if not subnet["gateway_ip"]:
            raise bad_router("Subnet for router interface must have a gateway IP")
        _overlap_check(state, router, subnet)
        network = state["networks"][subnet["network_id"]]
        # Neutron makes the interface's port itself (an elevated context, past the API's
        # quota reservation): a project at its port quota can still add an interface.
        port = ports.build(state, project_id=router["project_id"], network=network,
                           fixed_ips=[{"subnet_id": subnet["id"],
                                       "ip_address": subnet["gateway_ip"]}],
                           device_id=router["id"], device_owner=IFACE, status="ACTIVE",
                           host="devcloud", check_quota=False)
    bump(router)
    return _iface_info(router, port, subnet)


def _iface_info(router: dict, port: dict, subnet: dict) -> dict:
    return {"id": router["id"], "project_id": router["project_id"], "port_id": port["id"],
            "network_id": port["network_id"], "subnet_id": subnet["id"],
            "subnet_ids": [ip["subnet_id"] for ip in port["fixed_ips"]]}


def remove_interface(state, ctx, router: dict, body: dict) -> dict:
    if body.get("port_id"):
        port = next((p for p in interfaces(state, router["id"]) if p["id"] == body["port_id"]),
                    None)
        if port is None:
            raise CloudError(404, f"Router {router['id']} does not have an interface with id "
                                  f"{body['port_id']}", "RouterInterfaceNotFound")
    elif body.get("subnet_id"):
        state.get(ctx, "subnets", body["subnet_id"])
        port = next((p for p in interfaces(state, router["id"])
                     if any(ip["subnet_id"] == body["subnet_id"] for ip in p["fixed_ips"])),
                    None)
        if port is None:
            raise CloudError(404, f"Router {router['id']} has no interface on subnet "
                                  f"{body['subnet_id']}", "RouterInterfaceNotFoundForSubnet")
    else:
        raise bad_router("Either subnet_id or port_id must be specified")
    subnet_ids = {ip["subnet_id"] for ip in port["fixed_ips"]}
    for fip in _fips_using(state, router["id"]):
        fixed = state["ports"].get(fip["port_id"], {}).get("fixed_ips", [])
        used = {ip["subnet_id"] for ip in fixed if ip["ip_address"] == fip["fixed_ip_address"]}
        if used & subnet_ids:
            sid = sorted(used & subnet_ids)[0]
            raise conflict(f"Router interface for subnet {sid} on router {router['id']} cannot "
                           f"be deleted, as it is required by one or more floating IPs.",
                           "RouterInterfaceInUseByFloatingIP")
    subnet = state["subnets"][sorted(subnet_ids)[0]] if subnet_ids else {"id": None}
    info = _iface_info(router, port, subnet)
    ports.delete(state, port)
    bump(router)
    return info


def delete_router(state, router: dict) -> None:
    attached = interfaces(state, router["id"])
    if attached:
        raise conflict(f"Router {router['id']} has ports still attached: "
                       + ", ".join(p["id"] for p in attached), "RouterInUse")
    set_gateway(state, None, router, None)
    state.remove("routers", router["id"])


# --- HTTP handlers -----------------------------------------------------------------------

async def create(request):
    state, ctx = request.app["neutron"], request["ctx"]
    data = await api.read_body(request, "router", CREATE)
    api.require_write(ctx, "create_router")
    api.admin_only_fields(ctx, data, ("distributed", "ha"), "create_router")
    project = api.owner_of(ctx, data, "create_router")
    router = create_router(state, ctx, project, data)
    return web.json_response({"router": render(ctx, router)}, status=201)


list_ = api.list_handler("routers", render, FIELDS)
show = api.show_handler("routers", "router", render)


async def update(request):
    state, ctx = request.app["neutron"], request["ctx"]
    data = await api.read_body(request, "router", UPDATE)
    router = state.get_own(ctx, "routers", request.match_info["id"], "update_router")
    api.require_write(ctx, "update_router")
    api.admin_only_fields(ctx, data, ("distributed", "ha"), "update_router")
    if "routes" in data:
        router["routes"] = _check_routes(state, router, data["routes"])
    if "external_gateway_info" in data:
        set_gateway(state, ctx, router, data["external_gateway_info"] or None)
    for key in ("name", "description"):
        if key in data:
            router[key] = data[key]
    if "admin_state_up" in data:
        router["admin_state_up"] = api.as_bool(data["admin_state_up"], "admin_state_up")
    bump(router)
    state.store.touch()
    return web.json_response({"router": render(ctx, router)})


remove = api.delete_handler("routers", "delete_router", delete_router)


async def _interface(request, action: str):
    state, ctx = request.app["neutron"], request["ctx"]
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("Malformed request body") from None
    router = state.get_own(ctx, "routers", request.match_info["id"], action)
    api.require_write(ctx, action)
    if action == "add_router_interface":
        info = add_interface(state, ctx, router, body or {})
    else:
        info = remove_interface(state, ctx, router, body or {})
    state.store.touch()
    return web.json_response(info)


async def add_iface(request):
    return await _interface(request, "add_router_interface")


async def remove_iface(request):
    return await _interface(request, "remove_router_interface")


def routes(r, prefix: str) -> None:
    item = add_resource(r, f"{prefix}/routers", list_=list_, create=create, show=show,
                        update=update, delete=remove)
    r.add_put(f"{item}/add_router_interface", add_iface)
    r.add_put(f"{item}/remove_router_interface", remove_iface)
