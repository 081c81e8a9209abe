"""Subnets: Neutron's validation (CIDR, gateway, pools, overlap on the network) and the
DHCP port that the DHCP agent keeps on every network with a DHCP-enabled subnet."""

import ipaddress
import uuid

from aiohttp import web

from ..routes import add_resource
from . import api, ipam, ports
from .core import HOST
from .util import (
    CloudError,
    bad_request,
    bump,
    conflict,
    invalid_input,
    is_uuid,
    new_id,
    policy,
    stamp,
)

CREATE = {"name", "network_id", "ip_version", "cidr", "gateway_ip", "enable_dhcp",
          "allocation_pools", "dns_nameservers", "host_routes", "description",
          "ipv6_ra_mode", "ipv6_address_mode", "tenant_id", "project_id", "subnetpool_id",
          "service_types", "tags", "segment_id", "prefixlen", "use_default_subnetpool"}
UPDATE = {"name", "description", "gateway_ip", "enable_dhcp", "dns_nameservers",
          "host_routes", "allocation_pools", "service_types", "segment_id"}
FIELDS = CREATE | {"id", "router:external", "created_at", "updated_at", "revision_number"}
DHCP_OWNER = "network:dhcp"


def render(ctx, subnet: dict) -> dict:
    return dict(subnet)


# --- the DHCP agent's port -------------------------------------------------------------

def dhcp_device_id(network_id: str) -> str:
    # What the DHCP agent uses: dhcp<uuid5 of its host>-<network id>.
    return f"dhcp{uuid.uuid5(uuid.NAMESPACE_DNS, HOST)}-{network_id}"


def dhcp_port(state, network_id: str) -> dict | None:
    return next((p for p in state.ports_of(dhcp_device_id(network_id))), None)


def sync_dhcp(state, network: dict) -> None:
    """One DHCP port per network, with one address in each DHCP-enabled subnet."""
    subnets = [state["subnets"][s] for s in network["subnets"]]
    wanted = [s["id"] for s in subnets if s["enable_dhcp"]]
    port = dhcp_port(state, network["id"])
    if port is None:
        if wanted:
            requested = [{"subnet_id": s} for s in wanted]
            try:
                ports.build(state, project_id=network["project_id"], network=network,
                            fixed_ips=requested, device_id=dhcp_device_id(network["id"]),
                            device_owner=DHCP_OWNER, status="ACTIVE", host=HOST,
                            check_quota=False)
            except CloudError:
                pass  # a full subnet: the agent would log and retry; the subnet still works
        return
    keep = [ip for ip in port["fixed_ips"] if ip["subnet_id"] in wanted]
    have = {ip["subnet_id"] for ip in keep}
    if not wanted:
        ports.delete(state, port)
        return
    state.unindex("ports", port)
    port["fixed_ips"] = keep
    state.put("ports", port)
    missing = [{"subnet_id": s} for s in wanted if s not in have]
    if missing:
        state.unindex("ports", port)
        try:
            port["fixed_ips"] = keep + ports.allocate_ips(state, network, missing)
        except CloudError:
            pass
        state.put("ports", port)


def dhcp_server_ip(state, subnet: dict) -> str | None:
    port = dhcp_port(state, subnet["network_id"])
    for ip in (port or {}).get("fixed_ips", []):
        if ip["subnet_id"] == subnet["id"]:
            return ip["ip_address"]
    return None


# --- validation ------------------------------------------------------------------------------

def _ip_version(value) -> int:
    try:
        version = int(value)
    except (TypeError, ValueError):
        version = None
    if version not in (4, 6):
        raise bad_request(f"Invalid input for ip_version. Reason: {value} is not in "
                          f"valid_values.")
    return version


def _check_overlap(state, network: dict, net, skip: str | None = None) -> None:
    for sid in network["subnets"]:
        if sid == skip:
            continue
        other = ipaddress.ip_network(state["subnets"][sid]["cidr"])
        if other.version == net.version and other.overlaps(net):
            raise invalid_input(f"Requested subnet with cidr: {net} for network: "
                                f"{network['id']} overlaps with another subnet.")


def _gateway_and_pools(net, data: dict, gateway_given: bool, gateway, pools_given):
    if gateway_given:
        if gateway is not None:
            gateway = str(ipam.parse_ip(gateway, "gateway_ip"))
    else:
        gateway = ipam.default_gateway(net)
    if pools_given is not None:
        pools = ipam.validate_pools(net, pools_given)
    else:
        pools = ipam.default_pools(net, gateway)
    ipam.check_gateway(net, gateway, pools)
    return gateway, pools


def build_subnet(state, project_id: str, network: dict, data: dict) -> dict:
    version = _ip_version(data.get("ip_version", 4))
    if not data.get("cidr"):
        raise bad_request("Bad subnets request: a subnetpool must be specified in the absence "
                          "of a cidr.", "BadRequest")
    net = ipam.parse_cidr(data["cidr"], version)
    _check_overlap(state, network, net)
    gateway, pools = _gateway_and_pools(net, data, "gateway_ip" in data, data.get("gateway_ip"),
                                        data.get("allocation_pools"))
    state.check_quota(project_id, "subnet")
    now = stamp()
    subnet = {
        **api.base_attrs(new_id(), project_id, now), "name": data.get("name", ""),
        "network_id": network["id"], "ip_version": version, "subnetpool_id": None,
        "enable_dhcp": api.as_bool(data.get("enable_dhcp", True), "enable_dhcp"),
        "ipv6_ra_mode": data.get("ipv6_ra_mode"),
        "ipv6_address_mode": data.get("ipv6_address_mode"), "gateway_ip": gateway,
        "cidr": str(net), "allocation_pools": pools,
        "host_routes": ipam.validate_host_routes(data.get("host_routes"), net),
        "dns_nameservers": ipam.validate_nameservers(data.get("dns_nameservers")),
        "description": data.get("description", ""),
        "router:external": network["router:external"],
        "service_types": list(data.get("service_types", [])),
        "tags": list(data.get("tags", [])),
    }
    state.put("subnets", subnet)
    network["subnets"].append(subnet["id"])
    bump(network)
    sync_dhcp(state, network)
    return subnet


def delete_subnet(state, subnet: dict) -> None:
    users = {p for p in state.ip_used.get(subnet["id"], {}).values()}
    ports_ = state["ports"]
    if any(ports_[p]["device_owner"] != DHCP_OWNER for p in users if p in ports_):
        raise conflict(f"Unable to complete operation on subnet {subnet['id']}: One or more "
                       f"ports have an IP allocation from this subnet.", "SubnetInUse")
    network = state["networks"][subnet["network_id"]]
    network["subnets"].remove(subnet["id"])
    sync_dhcp(state, network)
    state.remove("subnets", subnet["id"])
    state.ip_used.pop(subnet["id"], None)
    state.ip_hint.pop(subnet["id"], None)
    bump(network)


def _network_for(state, ctx, network_id) -> dict:
    if not network_id:
        raise bad_request("Failed to parse request. Required attribute 'network_id' not "
                          "specified")
    if not is_uuid(network_id):
        raise bad_request(f"Invalid input for network_id. Reason: '{network_id}' is not a "
                          f"valid UUID.")
    network = state.get(ctx, "networks", network_id)
    if not ctx.is_admin and network["project_id"] != ctx.project_id:
        raise policy("create_subnet")
    return network


# --- HTTP handlers ---------------------------------------------------------------------------

async def create(request):
    state, ctx = request.app["neutron"], request["ctx"]
    data = await api.read_body(request, "subnet", CREATE)
    api.require_write(ctx, "create_subnet")
    project = api.owner_of(ctx, data, "create_subnet")
    network = _network_for(state, ctx, data.get("network_id"))
    subnet = build_subnet(state, project, network, data)
    return web.json_response({"subnet": render(ctx, subnet)}, status=201)


list_ = api.list_handler("subnets", render, FIELDS)
show = api.show_handler("subnets", "subnet", render)


def _update_ranges(state, subnet: dict, data: dict) -> None:
    net = ipaddress.ip_network(subnet["cidr"])
    gateway = data["gateway_ip"] if "gateway_ip" in data else subnet["gateway_ip"]
    pools = data.get("allocation_pools")
    pools = ipam.validate_pools(net, pools) if pools is not None else subnet["allocation_pools"]
    if gateway is not None:
        gateway = str(ipam.parse_ip(gateway, "gateway_ip"))
    ipam.check_gateway(net, gateway, pools)
    if "gateway_ip" in data and gateway != subnet["gateway_ip"]:
        holder = state.ip_used.get(subnet["id"], {}).get(int(ipaddress.ip_address(
            subnet["gateway_ip"]))) if subnet["gateway_ip"] else None
        port = state["ports"].get(holder) if holder else None
        if port and port["device_owner"] == "network:router_interface":
            raise conflict(f"Current gateway ip {subnet['gateway_ip']} already in use by port "
                           f"{port['id']}. Unable to update.", "GatewayIpInUse")
    subnet["gateway_ip"], subnet["allocation_pools"] = gateway, pools


async def update(request):
    state, ctx = request.app["neutron"], request["ctx"]
    data = await api.read_body(request, "subnet", UPDATE)
    subnet = state.get_own(ctx, "subnets", request.match_info["id"], "update_subnet")
    api.require_write(ctx, "update_subnet")
    if "gateway_ip" in data or "allocation_pools" in data:
        _update_ranges(state, subnet, data)
    net = ipaddress.ip_network(subnet["cidr"])
    if "dns_nameservers" in data:
        subnet["dns_nameservers"] = ipam.validate_nameservers(data["dns_nameservers"])
    if "host_routes" in data:
        subnet["host_routes"] = ipam.validate_host_routes(data["host_routes"], net)
    for key in ("name", "description", "service_types"):
        if key in data:
            subnet[key] = data[key]
    if "enable_dhcp" in data:
        subnet["enable_dhcp"] = api.as_bool(data["enable_dhcp"], "enable_dhcp")
        sync_dhcp(state, state["networks"][subnet["network_id"]])
    bump(subnet)
    state.store.touch()
    return web.json_response({"subnet": render(ctx, subnet)})


remove = api.delete_handler("subnets", "delete_subnet", delete_subnet)


def routes(r, prefix: str) -> None:
    add_resource(r, f"{prefix}/subnets", list_=list_, create=create, show=show, update=update,
                 delete=remove)

