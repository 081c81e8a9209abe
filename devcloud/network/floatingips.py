"""Floating IPs: allocated from an external network (a port on it holds the address),
associated with a port only when a router joins the port's subnet to that network."""

import ipaddress

from aiohttp import web

from ..routes import add_resource
from . import api, ports
from .association import disassociate
from .util import CloudError, bad_request, bump, conflict, is_uuid, new_id, not_found, stamp

CREATE = {"floating_network_id", "floating_ip_address", "subnet_id", "port_id",
          "fixed_ip_address", "description", "tenant_id", "project_id", "tags",
          "dns_domain", "dns_name", "qos_policy_id"}
UPDATE = {"port_id", "fixed_ip_address", "description"}
FIELDS = (CREATE | {"id", "router_id", "status", "created_at", "updated_at", "revision_number"}) \
    - {"subnet_id", "dns_domain", "dns_name", "qos_policy_id"}
DETAIL_KEYS = ("name", "network_id", "mac_address", "admin_state_up", "status", "device_id",
               "device_owner")


def render(ctx, fip: dict, state) -> dict:
    port = state["ports"].get(fip["port_id"]) if fip["port_id"] else None
    details = {k: port[k] for k in DETAIL_KEYS} if port else None
    return {**fip, "port_details": details}


def router_for(state, network_id: str, subnet_id: str) -> dict | None:
    """A router with a gateway on network_id and an interface on subnet_id."""
    routers = state["routers"]
    for port in state.ports_in_subnet(subnet_id):
        if port["device_owner"] != "network:router_interface":
            continue
        router = routers.get(port["device_id"])
        gw = router and router["external_gateway_info"]
        if gw and gw["network_id"] == network_id:
            return router
    return None


def _fixed_ip(port: dict, wanted: str | None) -> dict:
    v4 = [ip for ip in port["fixed_ips"] if ipaddress.ip_address(ip["ip_address"]).version == 4]
    if wanted:
        match = next((ip for ip in port["fixed_ips"] if ip["ip_address"] == wanted), None)
        if match is None:
            raise bad_request(f"Bad floatingip request: Port {port['id']} does not have fixed "
                              f"ip {wanted}.", "BadRequest")
        return match
    if not v4:
        raise bad_request(f"Bad floatingip request: Port {port['id']} does not have any IPv4 "
                          f"address. Cannot associate with a Floating IP.", "BadRequest")
    if len(v4) > 1:
        raise bad_request(f"Bad floatingip request: Port {port['id']} has multiple fixed IPv4 "
                          f"addresses.  Must provide a specific IPv4 address when assigning a "
                          f"floating IP.", "BadRequest")
    return v4[0]


def associate(state, ctx, fip: dict, port_id: str, fixed_address: str | None = None) -> None:
    port = state["ports"].get(port_id)
    if port is None or (ctx is not None and not ctx.is_admin
                        and port["project_id"] != fip["project_id"]):
        raise not_found("ports", port_id)
    fixed = _fixed_ip(port, fixed_address)
    for other in state.fips_of(port_id):
        if other["id"] != fip["id"] and other["fixed_ip_address"] == fixed["ip_address"] \
                and other["floating_network_id"] == fip["floating_network_id"]:
            raise conflict(f"Cannot associate floating IP {fip['floating_ip_address']} "
                           f"({fip['id']}) with port {port_id} using fixed IP "
                           f"{fixed['ip_address']}, as that fixed IP already has a floating IP "
                           f"on external network {fip['floating_network_id']}.",
                           "FloatingIPPortAlreadyAssociated")
    router = router_for(state, fip["floating_network_id"], fixed["subnet_id"])
    if router is None:
        raise CloudError(404, f"External network {fip['floating_network_id']} is not "
                              f"reachable from subnet {fixed['subnet_id']}.  Therefore, cannot "
                              f"associate Port {port_id} with a Floating IP.",
                         "ExternalGatewayForFloatingIPNotFound")
    state.unindex("floatingips", fip)
    fip.update({"port_id": port_id, "fixed_ip_address": fixed["ip_address"],
                "router_id": router["id"], "status": "ACTIVE"})
    state.put("floatingips", fip)


def allocate(state, ctx, project_id: str, data: dict) -> dict:
    network_id = data.get("floating_network_id")
    if not network_id or not is_uuid(network_id):
        raise bad_request(f"Invalid input for floating_network_id. Reason: '{network_id}' is "
                          f"not a valid UUID.")
    network = state.get(ctx, "networks", network_id)
    if not network["router:external"]:
        raise bad_request(f"Bad floatingip request: Network {network_id} is not a valid "
                          f"external network.", "BadRequest")
    state.check_quota(project_id, "floatingip")
    fip_id = new_id()
    requested = None
    if data.get("floating_ip_address") or data.get("subnet_id"):
        item = {k: data[k] for k in ("subnet_id",) if data.get(k)}
        if data.get("floating_ip_address"):
            item["ip_address"] = data["floating_ip_address"]
        requested = [item]
    elif network["subnets"]:
        v4 = [s for s in network["subnets"] if state["subnets"][s]["ip_version"] == 4]
        requested = None if not v4 else _first_with_room(state, network, v4)
    if not network["subnets"]:
        raise bad_request(f"Bad floatingip request: Network {network_id} does not contain any "
                          f"IPv4 subnet.", "BadRequest")
    port = ports.build(state, project_id="", network=network, fixed_ips=requested,
                       device_id=fip_id, device_owner="network:floatingip", status="N/A",
                       check_quota=False)
    address = next(ip["ip_address"] for ip in port["fixed_ips"])
    fip = {**api.base_attrs(fip_id, project_id, stamp()), "floating_ip_address": address,
           "floating_network_id": network_id, "router_id": None, "port_id": None,
           "fixed_ip_address": None, "status": "DOWN",
           "description": data.get("description", ""), "tags": list(data.get("tags", []))}
    state.put("floatingips", fip)
    if data.get("port_id"):
        try:
            associate(state, ctx, fip, data["port_id"], data.get("fixed_ip_address"))
        except CloudError:
            release(state, fip)
            raise
    return fip


def _first_with_room(state, network: dict, subnet_ids: list[str]):
    """Floating IPs come from IPv4 subnets only: the first one with a free address."""
    from .ipam import lowest_free
    for sid in subnet_ids:
        subnet = state["subnets"][sid]
        if lowest_free(subnet["allocation_pools"], state.ip_used[sid]) is not None:
            return [{"subnet_id": sid}]
    raise conflict(f"No more IP addresses available on network {network['id']}.",
                   "IpAddressGenerationFailure")


def release(state, fip: dict) -> None:
    for port in state.ports_of(fip["id"]):
        state.remove("ports", port["id"])
    state.remove("floatingips", fip["id"])


# --- HTTP handlers -------------------------------------------------------------------------

async def create(request):
    state, ctx = request.app["neutron"], request["ctx"]
    data = await api.read_body(request, "floatingip", CREATE)
    api.require_write(ctx, "create_floatingip")
    api.admin_only_fields(ctx, data, ("floating_ip_address",), "create_floatingip")
    project = api.owner_of(ctx, data, "create_floatingip")
    fip = allocate(state, ctx, project, data)
    return web.json_response({"floatingip": render(ctx, fip, state)}, status=201)


list_ = api.list_handler("floatingips", render, FIELDS, with_state=True)
show = api.show_handler("floatingips", "floatingip", render, with_state=True)


async def update(request):
    state, ctx = request.app["neutron"], request["ctx"]
    data = await api.read_body(request, "floatingip", UPDATE)
    fip = state.get_own(ctx, "floatingips", request.match_info["id"], "update_floatingip")
    api.require_write(ctx, "update_floatingip")
    if "port_id" in data:
        if data["port_id"]:
            associate(state, ctx, fip, data["port_id"], data.get("fixed_ip_address"))
        elif fip["port_id"]:
            disassociate(state, fip)
    if "description" in data:
        fip["description"] = data["description"]
    bump(fip)
    state.store.touch()
    return web.json_response({"floatingip": render(ctx, fip, state)})


remove = api.delete_handler("floatingips", "delete_floatingip", release)


def routes(r, prefix: str) -> None:
    add_resource(r, f"{prefix}/floatingips", list_=list_, create=create, show=show, update=update,
                 delete=remove)
