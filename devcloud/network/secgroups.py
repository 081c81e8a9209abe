"""Security groups and rules, with the default group Neutron creates per project and
its four default rules (egress any IPv4/IPv6, ingress from members of the group).

Rules look as the real Neutron 29 shows them: the ones Neutron makes itself have
`description: null`; the rule API (list, show, create) leaves out `standard_attr_id` and
`tags`, which only the rules embedded in a group carry; a group's revision counts its rule
changes."""

import ipaddress

from aiohttp import web

from ..routes import add_resource
from . import api, listing
from .util import CloudError, bad_request, bump, conflict, new_id, not_found, stamp

PROTOCOLS = ("ah", "dccp", "egp", "esp", "gre", "hopopt", "icmp", "igmp", "ip", "ipip",
             "ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6", "ipv6-nonxt", "ipv6-opts",
             "ipv6-route", "ospf", "pgm", "rsvp", "sctp", "tcp", "udp", "udplite", "vrrp")
PORT_PROTOCOLS = {"tcp", "udp", "dccp", "sctp", "udplite", "6", "17", "33", "132", "136"}
ICMP = {"icmp", "ipv6-icmp", "icmpv6", "1", "58"}
SG_CREATE = {"name", "description", "tenant_id", "project_id", "stateful", "tags"}
SG_UPDATE = {"name", "description", "stateful"}
SG_FIELDS = SG_CREATE | {"id", "shared", "created_at", "updated_at", "revision_number"}
RULE_CREATE = {"security_group_id", "direction", "ethertype", "protocol", "port_range_min",
               "port_range_max", "remote_ip_prefix", "remote_group_id",
               "remote_address_group_id", "description", "tenant_id", "project_id"}
RULE_FIELDS = RULE_CREATE | {"id", "normalized_cidr", "belongs_to_default_sg", "created_at",
                             "updated_at", "revision_number"}


def _std_attr(state) -> int:
    meta = state.store.meta
    meta["neutron_std_attr"] = meta.get("neutron_std_attr", 0) + 1
    return meta["neutron_std_attr"]


def _rule(state, group: dict, *, direction: str, ethertype: str = "IPv4", protocol=None,
          port_range_min=None, port_range_max=None, remote_ip_prefix=None,
          remote_group_id=None, description=None, default_sg: bool | None = False) -> dict:
    normalized = str(ipaddress.ip_network(remote_ip_prefix, strict=False)) \
        if remote_ip_prefix else None
    rule = {**api.base_attrs(new_id(), group["project_id"], stamp()),
            "security_group_id": group["id"], "ethertype": ethertype, "direction": direction,
            "protocol": protocol, "port_range_min": port_range_min,
            "port_range_max": port_range_max, "remote_ip_prefix": remote_ip_prefix,
            "remote_address_group_id": None, "normalized_cidr": normalized,
            "remote_group_id": remote_group_id, "standard_attr_id": _std_attr(state),
            "belongs_to_default_sg": default_sg, "description": description}
    return state.put("security_group_rules", rule)


def create_group(state, project_id: str, name: str, description: str = "",
                 stateful: bool = True) -> dict:
    group = {**api.base_attrs(new_id(), project_id, stamp()), "name": name,
             "stateful": stateful, "description": description, "shared": False}
    state.put("security_groups", group)
    default = name == "default"
    # A real Neutron marks the default group's own rules with belongs_to_default_sg null.
    flag = None if default else False
    for ethertype in ("IPv4", "IPv6"):
        _rule(state, group, direction="egress", ethertype=ethertype, default_sg=flag)
        if default:
            _rule(state, group, direction="ingress", ethertype=ethertype,
                  remote_group_id=group["id"], default_sg=flag)
    group["revision_number"] = 1  # adding its default rules revised the new group once
    return group


def default_group(state, project_id: str) -> dict | None:
    groups = state["security_groups"]
    return next((groups[g] for g in state.owned["security_groups"].get(project_id, ())
                 if groups[g]["name"] == "default"), None)


def ensure_default(state, project_id: str) -> dict:
    """Neutron creates a project's default group the first time the project needs it."""
    return default_group(state, project_id) or create_group(
        state, project_id, "default", "Default security group")


def resolve(state, ctx, project_id: str, refs) -> list[str]:
    """Security groups by id or name (Nova passes names) for a port of project_id."""
    out = []
    groups = state["security_groups"]
    mine = [groups[g] for g in state.owned["security_groups"].get(project_id, ())]
    for ref in refs or []:
        group = groups.get(ref)
        if group is None or (group["project_id"] != project_id and not
                             (ctx is not None and ctx.is_admin)):
            group = next((g for g in mine if g["name"] == ref), None)
        if group is None:
            if ref == "default":
                group = ensure_default(state, project_id)
            else:
                raise not_found("security_groups", ref)
        out.append(group["id"])
    return out


def render_group(ctx, group: dict, state=None) -> dict:
    out = dict(group)
    if state is not None:
        rules = state["security_group_rules"]
        out["security_group_rules"] = [rules[r] for r in state.rules_by_group.get(group["id"], {})
                                       if r in rules]
    return out


def render_rule(ctx, rule: dict) -> dict:
    """A rule as the rule API shows it (not as embedded in its group)."""
    out = {k: v for k, v in rule.items() if k not in ("standard_attr_id", "tags")}
    if out.get("belongs_to_default_sg") is None:
        # null only when embedded in the default group; the rule API says true
        out["belongs_to_default_sg"] = True
    return out


# --- rule validation (Neutron's checks, in Neutron's order) ------------------------------

def _port_value(value, field):
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"Invalid input for {field}. Reason: '{value}' is not an integer.") \
            from None


def _check_protocol(protocol):
    if protocol is None:
        return None
    text = str(protocol).lower()
    if text in PROTOCOLS or text == "any":
        return None if text == "any" else text
    if text.isdigit() and 0 <= int(text) <= 255:
        return text
    allowed = ", ".join(repr(p) for p in PROTOCOLS)
    raise bad_request(f"Security group rule protocol {protocol} not supported. Only protocol "
                      f"values (None, 'any', {allowed}) and integer representations [0 to 255] "
                      f"are supported.", "SecurityGroupRuleInvalidProtocol")


def _check_ports(protocol, low, high):
    if (low is not None or high is not None) and protocol is None:
        raise bad_request("Must also specify protocol if port range is given.",
                          "SecurityGroupProtocolRequiredWithPorts")
    if protocol in PORT_PROTOCOLS:
        for value in (low, high):
            if value is not None and not 1 <= value <= 65535:
                raise bad_request(f"Invalid value for port {value}",
                                  "SecurityGroupInvalidPortValue")
        if low is not None and high is not None and low > high:
            raise bad_request("For TCP/UDP protocols, port_range_min must be <= "
                              "port_range_max", "SecurityGroupInvalidPortRange")
    elif protocol in ICMP:
        for value, name, field in ((low, "type", "port_range_min"),
                                   (high, "code", "port_range_max")):
            if value is not None and not 0 <= value <= 255:
                raise bad_request(f"Invalid value for ICMP {name} ({field}) {value}. It must "
                                  f"be 0 to 255.", "SecurityGroupInvalidIcmpValue")


def _check_remote(data, ethertype):
    remotes = [k for k in ("remote_ip_prefix", "remote_group_id", "remote_address_group_id")
               if data.get(k)]
    if len(remotes) > 1:
        raise bad_request("Only one of remote_ip_prefix or remote_group_id or "
                          "remote_address_group_id may be provided.",
                          "SecurityGroupMultipleRemoteEntites")
    prefix = data.get("remote_ip_prefix")
    if prefix:
        try:
            net = ipaddress.ip_network(prefix, strict=False)
        except ValueError:
            raise bad_request(f"Invalid input for remote_ip_prefix. Reason: '{prefix}' is not "
                              f"a valid IP subnet.") from None
        if f"IPv{net.version}" != ethertype:
            raise bad_request(f"Conflicting value ethertype {ethertype} for CIDR {prefix}",
                              "SecurityGroupRuleParameterConflict")


def _same_rule(a: dict, b: dict) -> bool:
    keys = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
            "remote_group_id", "normalized_cidr")
    return all(a.get(k) == b.get(k) for k in keys)


def create_rule(state, ctx, data: dict) -> dict:
    group = state.get(ctx, "security_groups", data.get("security_group_id") or "")
    if not ctx.is_admin and group["project_id"] != ctx.project_id:
        raise not_found("security_groups", group["id"])
    direction = data.get("direction")
    if direction not in ("ingress", "egress"):
        raise bad_request(f"Invalid input for direction. Reason: {direction} is not in "
                          f"valid_values.")
    ethertype = data.get("ethertype", "IPv4")
    if ethertype not in ("IPv4", "IPv6"):
        raise bad_request(f"Invalid input for ethertype. Reason: {ethertype} is not in "
                          f"valid_values.")
    protocol = _check_protocol(data.get("protocol"))
    low = _port_value(data.get("port_range_min"), "port_range_min")
    high = _port_value(data.get("port_range_max"), "port_range_max")
    _check_ports(protocol, low, high)
    _check_remote(data, ethertype)
    if data.get("remote_group_id"):
        state.get(ctx, "security_groups", data["remote_group_id"])
    state.check_quota(group["project_id"], "security_group_rule")
    prefix = data.get("remote_ip_prefix")
    candidate = {"direction": direction, "ethertype": ethertype, "protocol": protocol,
                 "port_range_min": low, "port_range_max": high,
                 "remote_group_id": data.get("remote_group_id"),
                 "normalized_cidr": str(ipaddress.ip_network(prefix, strict=False))
                 if prefix else None}
    rules = state["security_group_rules"]
    for rid in state.rules_by_group.get(group["id"], {}):
        if _same_rule(rules[rid], candidate):
            raise conflict(f"Security group rule already exists. Rule id is {rid}.",
                           "SecurityGroupRuleExists")
    rule = _rule(state, group, direction=direction, ethertype=ethertype, protocol=protocol,
                 port_range_min=low, port_range_max=high, remote_ip_prefix=prefix,
                 remote_group_id=data.get("remote_group_id"),
                 description=data.get("description", ""))
    bump(group)
    return rule


# --- HTTP handlers -------------------------------------------------------------------------

async def list_groups(request):
    state, ctx = request.app["neutron"], request["ctx"]
    if ctx.project_id:
        ensure_default(state, ctx.project_id)
    return listing.list_response(request, state, "security_groups", "security_groups",
                                 lambda c, g: render_group(c, g, state), SG_FIELDS)


show_group = api.show_handler("security_groups", "security_group", render_group,
                              with_state=True)


async def create_group_handler(request):
    state, ctx = request.app["neutron"], request["ctx"]
    data = await api.read_body(request, "security_group", SG_CREATE)
    api.require_write(ctx, "create_security_group")
    project = api.owner_of(ctx, data, "create_security_group")
    ensure_default(state, project)
    if data.get("name") == "default":
        raise bad_request("Default security group already exists.",
                          "SecurityGroupDefaultAlreadyExists")
    state.check_quota(project, "security_group")
    group = create_group(state, project, data.get("name", ""), data.get("description", ""),
                         api.as_bool(data.get("stateful", True), "stateful"))
    group["tags"] = list(data.get("tags", []))
    return web.json_response({"security_group": render_group(ctx, group, state)}, status=201)


async def update_group(request):
    state, ctx = request.app["neutron"], request["ctx"]
    data = await api.read_body(request, "security_group", SG_UPDATE)
    group = state.get_own(ctx, "security_groups", request.match_info["id"],
                          "update_security_group")
    api.require_write(ctx, "update_security_group")
    if group["name"] == "default" and data.get("name", "default") != "default":
        raise CloudError(409, "Insufficient rights for removing default security group.",
                         "SecurityGroupCannotUpdateDefault")
    group.update({k: data[k] for k in ("name", "description", "stateful") if k in data})
    bump(group)
    state.store.touch()
    return web.json_response({"security_group": render_group(ctx, group, state)})


async def delete_group(request):
    state, ctx = request.app["neutron"], request["ctx"]
    group = state.get_own(ctx, "security_groups", request.match_info["id"],
                          "delete_security_group")
    api.require_write(ctx, "delete_security_group")
    in_use = any(group["id"] in p["security_groups"] for p in state["ports"].values())
    if in_use or (group["name"] == "default" and not ctx.is_admin):
        raise conflict(f"Security Group {group['id']} in use.", "SecurityGroupInUse")
    for rid in list(state.rules_by_group.get(group["id"], {})):
        state.remove("security_group_rules", rid)
    state.remove("security_groups", group["id"])
    return web.Response(status=204)


list_rules = api.list_handler("security_group_rules", render_rule, RULE_FIELDS)
show_rule = api.show_handler("security_group_rules", "security_group_rule", render_rule)


async def create_rule_handler(request):
    state, ctx = request.app["neutron"], request["ctx"]
    try:
        body = await request.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("security_group_rules"), list):
        return await _create_rules_bulk(state, ctx, body["security_group_rules"])
    data = await api.read_body(request, "security_group_rule", RULE_CREATE)
    api.require_write(ctx, "create_security_group_rule")
    rule = create_rule(state, ctx, data)
    return web.json_response({"security_group_rule": render_rule(ctx, rule)}, status=201)


async def _create_rules_bulk(state, ctx, items: list):
    """Neutron's bulk create: all rules or none (a refusal undoes the ones made before)."""
    api.require_write(ctx, "create_security_group_rule")
    created = []
    try:
        for data in items:
            if not isinstance(data, dict):
                raise bad_request("Malformed request body")
            unknown = sorted(set(data) - RULE_CREATE)
            if unknown:
                raise bad_request("Unrecognized attribute(s) '" + ", ".join(unknown) + "'")
            created.append(create_rule(state, ctx, data))
    except CloudError:
        for rule in created:
            state.remove("security_group_rules", rule["id"])
        raise
    return web.json_response({"security_group_rules": [render_rule(ctx, r) for r in created]},
                             status=201)


def remove_rule(state, rule: dict) -> None:
    """A rule goes; its group's revision counts the change, as Neutron's does."""
    state.remove("security_group_rules", rule["id"])
    group = state["security_groups"].get(rule["security_group_id"])
    if group is not None:
        bump(group)
        state.store.touch()


delete_rule = api.delete_handler("security_group_rules", "delete_security_group_rule",
                                 remove_rule)


def routes(r, prefix: str) -> None:
    add_resource(r, f"{prefix}/security-groups", list_=list_groups,
                 create=create_group_handler, show=show_group, update=update_group,
                 delete=delete_group)
    # devcloud serves no rule update: a PUT is refused with 405.
    add_resource(r, f"{prefix}/security-group-rules", list_=list_rules,
                 create=create_rule_handler, show=show_rule, delete=delete_rule)
