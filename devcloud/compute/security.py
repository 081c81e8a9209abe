"""POST /servers/{id}/action addSecurityGroup / removeSecurityGroup: Nova changes the
groups of every port of the server in Neutron (network/security_group_api.py), with no lock
or state check and no instance action; its errors are Nova's words for Neutron's answers.
GET /servers/{id}/os-security-groups: the groups of its ports in Nova's format."""

import uuid

from aiohttp import web

from ..errors import CloudError
from .api import compute_of, invalid_input, json_response, nova, policy_error


def _name(action: str, args) -> str:
    if not isinstance(args, dict):
        raise invalid_input(action, args, f"{args!r} is not of type 'object'")
    if "name" not in args:
        raise invalid_input(action, args, "'name' is a required property")
    name = args["name"]
    if not isinstance(name, str) or not name:
        raise invalid_input("name", name, "'' should be non-empty" if name == ""
                            else f"{name!r} is not of type 'string'")
    return name


def _group_and_ports(request, compute, server, name: str):
    ctx = request["ctx"]
    network = compute.network
    group = network.find_security_group(ctx.project_id, name)
    if group is None:
        raise CloudError(404, f"Security group {name} is not found for project "
                              f"{ctx.project_id}")
    ports = network.server_ports(server["id"])
    if not ports:
        raise CloudError(404, f"instance_id {server['id']} could not be found as device id "
                              "on any ports")
    return group, ports


def _neutron_request_ids() -> str:
    # Nova passes neutronclient's text on, which names the Neutron request
    return f"\nNeutron server returns request_ids: ['req-{uuid.uuid4()}']"


def add(request, compute, server, args):
    name = _name("addSecurityGroup", args)
    if not request["ctx"].can_write:
        raise policy_error("os_compute_api:os-security-groups:add")
    group, ports = _group_and_ports(request, compute, server, name)
    for port in ports:
        if not port.get("fixed_ips") or not port.get("port_security_enabled", True):
            raise CloudError(400, "Network requires port_security_enabled and subnet "
                                  "associated in order to apply security groups.")
    for port in ports:
        if group["id"] in port.get("security_groups", []):
            raise CloudError(400, "Invalid input for security_groups. Reason: Duplicate items "
                                  f"in the list: '{group['id']}'." + _neutron_request_ids())
        compute.network.set_port_security_groups(
            port["id"], [*port.get("security_groups", []), group["id"]])
    return web.Response(status=202)   # Nova leaves the server's own record (updated) as is


def remove(request, compute, server, args):
    name = _name("removeSecurityGroup", args)
    if not request["ctx"].can_write:
        raise policy_error("os_compute_api:os-security-groups:remove")
    group, ports = _group_and_ports(request, compute, server, name)
    found = False
    for port in ports:
        groups = port.get("security_groups", [])
        if group["id"] in groups:
            compute.network.set_port_security_groups(
                port["id"], [g for g in groups if g != group["id"]])
            found = True
    if not found:
        raise CloudError(404, f"Security group {name} not associated with the instance "
                              f"{server['id']}")
    return web.Response(status=202)   # Nova leaves the server's own record (updated) as is


ACTIONS = {"addSecurityGroup": add, "removeSecurityGroup": remove}


# --- GET /servers/{id}/os-security-groups ------------------------------------------------

def _rule_view(network, rule: dict) -> dict | None:
    """A Neutron ingress rule as Nova's security group API shows it."""
    protocol = rule["protocol"]
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if protocol and low is None and high is None:
        low, high = (1, 65535) if protocol.upper() in ("TCP", "UDP") else (-1, -1)
    view = {"id": rule["id"], "parent_group_id": rule["security_group_id"],
            "ip_protocol": protocol, "from_port": low, "to_port": high, "group": {},
            "ip_range": {}}
    if rule.get("remote_group_id"):
        source = network.security_group(rule["remote_group_id"])
        if source is None:
            return None
        view["group"] = {"name": source["name"], "tenant_id": source["project_id"]}
    else:
        view["ip_range"] = {"cidr": rule.get("remote_ip_prefix") or "0.0.0.0/0"}
    return view


def group_view(network, group: dict) -> dict:
    rules = [_rule_view(network, r) for r in group.get("security_group_rules", [])
             if r["direction"] == "ingress"]
    return {"id": group["id"], "description": group["description"], "name": group["name"],
            "tenant_id": group["project_id"], "rules": [r for r in rules if r]}


@nova
async def list_server_groups(request):
    compute = compute_of(request)
    server = compute.get(request.match_info["server_id"], request["ctx"])
    groups = [group_view(compute.network, g)
              for g in compute.network.server_security_group_details(server["id"])]
    groups.sort(key=lambda g: (g["tenant_id"], g["name"]))
    return json_response({"security_groups": groups})


def routes(r, prefix: str) -> None:
    r.add_get(f"{prefix}/servers/{{server_id}}/os-security-groups", list_server_groups)
