"""Ports: MAC and fixed IP allocation from the subnets' pools, create/update/delete, and
the device ports Neutron makes for DHCP, routers and floating IPs."""

import ipaddress
import random

from aiohttp import web

from ..routes import add_resource
from . import api, secgroups
from .association import disassociate_port
from .core import HOST
from .ipam import lowest_free
from .util import CloudError, bad_request, bump, conflict, is_uuid, new_id, not_found, stamp

ADMIN_ONLY = ("binding:host_id", "binding:profile", "binding:vif_type", "binding:vif_details")
CREATE = {"name", "network_id", "admin_state_up", "mac_address", "fixed_ips", "device_id",
          "device_owner", "tenant_id", "project_id", "security_groups", "description",
          "port_security_enabled", "binding:host_id", "binding:vnic_type", "binding:profile",
          "allowed_address_pairs", "extra_dhcp_opts", "tags"}
UPDATE = {"name", "admin_state_up", "fixed_ips", "device_id", "device_owner",
          "security_groups", "description", "port_security_enabled", "binding:host_id",
          "binding:profile", "binding:vnic_type", "allowed_address_pairs", "extra_dhcp_opts",
          "mac_address"}
FIELDS = CREATE | {"id", "status", "created_at", "updated_at", "revision_number",
                   "binding:vif_type", "binding:vif_details"}


def render(ctx, port: dict) -> dict:
    if ctx is None or ctx.is_admin:
        return dict(port)
    return {k: v for k, v in port.items() if k not in ADMIN_ONLY}


def new_mac(state) -> str:
    while True:
        mac = "fa:16:3e:" + ":".join(f"{random.randrange(256):02x}" for _ in range(3))
        if mac not in state.macs:
            return mac


# --- IP allocation -----------------------------------------------------------------

def _subnet(state, network: dict, subnet_id: str) -> dict:
    subnet = state["subnets"].get(subnet_id)
    if subnet is None or subnet["network_id"] != network["id"]:
        raise bad_request(f"Invalid input for operation: Failed to create port on network "
                          f"{network['id']}, because fixed_ips included invalid subnet "
                          f"{subnet_id}.", "InvalidInput")
    return subnet


def _take_next(state, subnet: dict) -> str | None:
    used = state.ip_used[subnet["id"]]
    value = lowest_free(subnet["allocation_pools"], used, state.ip_hint.get(subnet["id"], 0))
    if value is None:
        return None
    state.ip_hint[subnet["id"]] = value + 1
    return str(ipaddress.ip_address(value))


def _take_address(state, subnet: dict, address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise bad_request(f"Invalid input for fixed_ips. Reason: '{address}' is not a valid "
                          f"IP address.") from None
    net = ipaddress.ip_network(subnet["cidr"])
    if ip not in net or (net.version == 4 and net.prefixlen < 31
                         and ip in (net.network_address, net.broadcast_address)):
        raise bad_request(f"IP address {address} is not a valid IP for the specified "
                          f"subnet.", "InvalidIpForSubnet")
    if int(ip) in state.ip_used[subnet["id"]]:
        raise conflict(f"IP address {address} already allocated in subnet {subnet['id']}",
                       "IpAddressAlreadyAllocated")
    return str(ip)


def _subnet_for_ip(state, network: dict, address: str) -> dict:
    ip = ipaddress.ip_address(address)
    for sid in network["subnets"]:
        subnet = state["subnets"][sid]
        if ip in ipaddress.ip_network(subnet["cidr"]):
            return subnet
    raise bad_request(f"IP address {address} is not a valid IP for any of the subnets on "
                      f"the specified network.", "InvalidIpForNetwork")


def allocate_ips(state, network: dict, requested: list | None) -> list[dict]:
    """Fixed IPs for a new port. None: one address per IP version, from the first subnet
    of that version with room (as Neutron does); else each request in turn."""
    out: list[dict] = []
    if requested is None:
        by_version: dict[int, list] = {}
        for sid in network["subnets"]:
            subnet = state["subnets"][sid]
            by_version.setdefault(subnet["ip_version"], []).append(subnet)
        for subnets in by_version.values():
            for subnet in subnets:
                address = _take_next(state, subnet)
                if address:
                    out.append({"subnet_id": subnet["id"], "ip_address": address})
                    break
            else:
                raise conflict(f"No more IP addresses available on network {network['id']}.",
                               "IpAddressGenerationFailure")
        return out
    taken: set = set()
    for item in requested:
        if not isinstance(item, dict):
            raise bad_request(f"Invalid input for fixed_ips. Reason: Invalid data format for "
                              f"fixed IP: '{item}'.")
        if item.get("ip_address"):
            subnet = (_subnet(state, network, item["subnet_id"]) if item.get("subnet_id")
                      else _subnet_for_ip(state, network, item["ip_address"]))
            address = _take_address(state, subnet, item["ip_address"])
            if (subnet["id"], address) in taken:
                raise conflict(f"IP address {address} already allocated in subnet "
                               f"{subnet['id']}", "IpAddressAlreadyAllocated")
        else:
            subnet = _subnet(state, network, item.get("subnet_id"))
            # Exclude what this same request already took.
            used = state.ip_used[subnet["id"]]
            extra = {int(ipaddress.ip_address(a)) for s, a in taken if s == subnet["id"]}
            value = lowest_free(subnet["allocation_pools"], set(used) | extra if extra else used,
                                state.ip_hint.get(subnet["id"], 0))
            if value is None:
                raise conflict(f"No more IP addresses available on network {network['id']}.",
                               "IpAddressGenerationFailure")
            address = str(ipaddress.ip_address(value))
        taken.add((subnet["id"], address))
        out.append({"subnet_id": subnet["id"], "ip_address": address})
    return out


# --- creation and removal ------------------------------------------------------------

def build(state, *, project_id: str, network: dict, fixed_ips=None, mac: str | None = None,
          device_id: str = "", device_owner: str = "", name: str = "",
          security_groups: list | None = None, status: str = "DOWN", host: str = "",
          admin_state_up: bool = True, description: str = "",
          port_security_enabled: bool | None = None, check_quota: bool = True) -> dict:
    """Allocate and store a port. Router, DHCP and floating IP ports carry no security
    groups and no port security, as Neutron's own device ports."""
    if check_quota:
        state.check_quota(project_id, "port")
    ips = allocate_ips(state, network, fixed_ips)
    now = stamp()
    device_port = device_owner.startswith("network:")
    if port_security_enabled is None:
        port_security_enabled = network["port_security_enabled"] and not device_port
    if security_groups is None:
        security_groups = ([] if device_port or not port_security_enabled
                           else [secgroups.ensure_default(state, project_id)["id"]])
    bound = bool(host)
    port = {
        **api.base_attrs(new_id(), project_id, now), "name": name,
        "network_id": network["id"], "mac_address": mac or new_mac(state),
        "admin_state_up": admin_state_up, "status": status, "device_id": device_id,
        "device_owner": device_owner, "fixed_ips": ips, "allowed_address_pairs": [],
        "extra_dhcp_opts": [], "security_groups": security_groups,
        "description": description, "binding:vnic_type": "normal", "binding:profile": {},
        "binding:host_id": host, "binding:vif_type": "ovs" if bound else "unbound",
        "binding:vif_details": _vif_details() if bound else {},
        "port_security_enabled": port_security_enabled, "revision_number": 1,
    }
    return state.put("ports", port)


def _vif_details() -> dict:
    return {"port_filter": True, "ovs_hybrid_plug": False, "datapath_type": "system",
            "bridge_name": "br-int", "connectivity": "l2"}


def bind(state, port: dict, *, device_id: str, device_owner: str, host: str) -> dict:
    state.unindex("ports", port)
    port.update({"device_id": device_id, "device_owner": device_owner,
                 "binding:host_id": host, "binding:vif_type": "ovs" if host else "unbound",
                 "binding:vif_details": _vif_details() if host else {}})
    bump(port)
    return state.put("ports", port)


def unbind(state, port: dict) -> dict:
    port = bind(state, port, device_id="", device_owner="", host="")
    port["status"] = "DOWN"
    return port


def delete(state, port: dict) -> None:
    """Remove a port: its IPs go back to the pool; floating IPs on it are disassociated."""
    disassociate_port(state, port["id"])
    state.remove("ports", port["id"])


# --- HTTP handlers ---------------------------------------------------------------------

def _network_for_create(state, ctx, network_id) -> dict:
    if not network_id:
        raise bad_request("Failed to parse request. Required attribute 'network_id' not "
                          "specified")
    if not is_uuid(network_id):
        raise bad_request(f"Invalid input for network_id. Reason: '{network_id}' is not a "
                          f"valid UUID.")
    network = state["networks"].get(network_id)
    if network is None or not state.can_see(ctx, "networks", network):
        raise not_found("networks", network_id)
    if not ctx.is_admin and network["project_id"] != ctx.project_id and not network["shared"]:
        raise not_found("networks", network_id)
    return network


def _check_mac(state, network_id: str, mac: str) -> str:
    import re
    if not re.fullmatch(r"([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}", str(mac)):
        raise bad_request(f"Invalid input for mac_address. Reason: '{mac}' is not a valid MAC "
                          f"address.")
    mac = mac.lower().replace("-", ":")
    if mac in state.macs:
        raise conflict(f"Unable to complete operation for network {network_id}. The mac "
                       f"address {mac} is in use.", "MacAddressInUse")
    return mac


async def create(request):
    state, ctx = request.app["neutron"], request["ctx"]
    data = await api.read_body(request, "port", CREATE)
    api.require_write(ctx, "create_port")
    project = api.owner_of(ctx, data, "create_port")
    network = _network_for_create(state, ctx, data.get("network_id"))
    if "binding:host_id" in data and not ctx.is_admin:
        raise CloudError(403, "(rule:create_port and rule:create_port:binding:host_id) is "
                              "disallowed by policy", "PolicyNotAuthorized")
    mac = _check_mac(state, network["id"], data["mac_address"]) \
        if data.get("mac_address") else None
    groups = secgroups.resolve(state, ctx, project, data["security_groups"]) \
        if "security_groups" in data else None
    port = build(state, project_id=project, network=network, fixed_ips=data.get("fixed_ips"),
                 mac=mac, device_id=data.get("device_id", ""),
                 device_owner=data.get("device_owner", ""), name=data.get("name", ""),
                 security_groups=groups, host=data.get("binding:host_id", ""),
                 admin_state_up=api.as_bool(data.get("admin_state_up", True),
                                            "admin_state_up"),
                 description=data.get("description", ""),
                 port_security_enabled=data.get("port_security_enabled"))
    port["tags"] = list(data.get("tags", []))
    return web.json_response({"port": render(ctx, port)}, status=201)


list_ = api.list_handler("ports", render, FIELDS)
show = api.show_handler("ports", "port", render)


async def update(request):
    state, ctx = request.app["neutron"], request["ctx"]
    data = await api.read_body(request, "port", UPDATE)
    port = state.get_own(ctx, "ports", request.match_info["id"], "update_port")
    api.require_write(ctx, "update_port")
    network = state["networks"][port["network_id"]]
    state.unindex("ports", port)
    try:
        if "fixed_ips" in data:
            old = port["fixed_ips"]
            port["fixed_ips"] = []
            try:
                port["fixed_ips"] = allocate_ips(state, network, data["fixed_ips"])
            except CloudError:
                port["fixed_ips"] = old
                raise
        if data.get("mac_address"):
            port["mac_address"] = _check_mac(state, network["id"], data["mac_address"])
        if "security_groups" in data:
            port["security_groups"] = secgroups.resolve(state, ctx, port["project_id"],
                                                        data["security_groups"])
        for key in ("name", "device_id", "device_owner", "description", "binding:host_id",
                    "binding:profile", "binding:vnic_type", "allowed_address_pairs",
                    "extra_dhcp_opts", "port_security_enabled"):
            if key in data:
                port[key] = data[key]
        if "admin_state_up" in data:
            port["admin_state_up"] = api.as_bool(data["admin_state_up"], "admin_state_up")
    finally:
        state.put("ports", port)
    bump(port)
    return web.json_response({"port": render(ctx, port)})


remove = api.delete_handler("ports", "delete_port", delete)


def routes(r, prefix: str) -> None:
    add_resource(r, f"{prefix}/ports", list_=list_, create=create, show=show, update=update,
                 delete=remove)


__all__ = ["HOST", "build", "delete", "bind", "unbind", "render", "routes"]
