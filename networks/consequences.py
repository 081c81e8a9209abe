"""What each destructive networks action loses, in a sentence or two for its in-page
confirmation (templates/partials/confirm.html), made only from what the page already
shows: no cloud call of its own, never one per row.

Where Neutron will refuse the action (a network with servers on it, a router with
interfaces), the question says so before the click, naming what holds it, rather than
promising a loss that will not happen. The templates reach these through
`{% load consequences %}` (networks/templatetags/consequences.py).
"""


def _quoted(name: str) -> str:
    return f"“{name}”"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _in_use(n: int) -> str:
    return f"{_count(n, 'address')} of it {'is' if n == 1 else 'are'} in use"


def _listed(items: list[str], most: int = 3) -> str:
    """"a, b and c"; past `most` the rest are counted ("a, b, c and 2 more")."""
    if len(items) > most:
        items = [*items[:most], f"{len(items) - most} more"]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _ips(port: dict, subnet_id: str | None = None) -> str:
    return ", ".join(ip["ip_address"] for ip in port.get("fixed_ips") or []
                     if subnet_id is None or ip.get("subnet_id") == subnet_id)


def _holders(ports: list[dict], subnet_id: str | None = None) -> list[str]:
    """The servers and routers with an address on the network (or on one subnet of it),
    as network_detail's ports name them: what makes Neutron refuse the delete. Neutron
    removes its own DHCP ports itself."""
    servers, routers = [], []
    for p in ports:
        ips = _ips(p, subnet_id)
        if not ips:
            continue
        if p.get("server_name") is not None:
            servers.append(f"server {_quoted(p['server_name'] or p['device_id'])} ({ips})")
        elif p.get("router_port"):
            routers.append(f"a router ({ips})")
    return sorted(servers) + sorted(routers)


def network_delete(network: dict, subnets: list[dict], ports: list[dict]) -> str:
    name = _quoted(network.get("name") or network["id"])
    if subnets:
        cidrs = _listed([s["cidr"] for s in subnets])
        lost = f"The network {name} and its {_count(len(subnets), 'subnet')} ({cidrs}) are " \
               "deleted, with their address pools, DHCP and DNS settings."
    else:
        lost = f"The network {name} is deleted."
    holders = _holders(ports)
    if holders:
        return f"{lost} Neutron refuses while something is attached: {_listed(holders)}. " \
               "Delete or detach them first."
    return lost


def subnet_delete(subnet: dict, ports: list[dict]) -> str:
    label = f"{_quoted(subnet['name'])} " if subnet.get("name") else ""
    lost = f"The subnet {label}{subnet['cidr']} is deleted with its settings (gateway " \
           f"{subnet.get('gateway_ip') or 'none'}, DHCP, DNS, address pools)."
    holders = _holders(ports, subnet["id"])
    if holders:
        return f"{lost} Neutron refuses while addresses on it are in use: " \
               f"{_listed(holders)}."
    return lost


def router_delete(router: dict, attached: list[dict]) -> str:
    name = _quoted(router.get("name") or router["id"])
    gateway = [ip["ip_address"] for ip in
               (router.get("external_gateway_info") or {}).get("external_fixed_ips") or []]
    lost = f"The router {name} is deleted"
    lost += f", and its gateway address {_listed(gateway)} goes back to the pool." \
        if gateway else "."
    if attached:
        cidrs = _listed([a["subnet"].get("cidr") or a["subnet"]["id"] for a in attached])
        return f"{lost} Neutron refuses while subnets are attached ({cidrs}): remove its " \
               "interfaces first."
    return lost


def interface_remove(router: dict, interface: dict) -> str:
    subnet = interface["subnet"]
    label = subnet.get("cidr") or subnet["id"]
    if subnet.get("name"):
        label = f"{_quoted(subnet['name'])} ({label})"
    name = _quoted(router.get("name") or router["id"])
    return f"The subnet {label} is detached from the router {name}: its servers lose " \
           f"their way to other networks and the internet through {interface['ip']}. " \
           "Neutron refuses while a floating IP points at one of them."


def security_group_delete(group: dict, rules: list[dict]) -> str:
    if group.get("name") == "default":
        return "Every project keeps its “default” security group: Neutron refuses to " \
               "delete it."
    return f"The security group {_quoted(group['name'])} and its " \
           f"{_count(len(rules), 'rule')} are deleted. Neutron refuses while a server " \
           "still uses it."


def _rule_traffic(rule: dict) -> str:
    protocol = (rule.get("protocol") or "").upper() or "any protocol"
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if low is not None and protocol in ("TCP", "UDP", "SCTP"):
        protocol += f" port {low}" if high in (None, low) else f" ports {low}–{high}"
    if rule.get("remote_group_id"):
        remote = f"members of {_quoted(rule.get('remote_group_name') or rule['remote_group_id'])}"
    else:
        remote = rule.get("remote_ip_prefix") or "anywhere"
    ethertype = rule.get("ethertype") or "IPv4"
    if rule.get("direction") == "egress":
        return f"send {ethertype} {protocol} to {remote}"
    return f"accept {ethertype} {protocol} from {remote}"


def rule_delete(group: dict, rule: dict) -> str:
    return f"Servers in {_quoted(group['name'])} stop being allowed to " \
           f"{_rule_traffic(rule)}, from the moment the rule is removed (unless another " \
           "rule allows it)."


def floating_ip_release(fip: dict) -> str:
    address = fip["floating_ip_address"]
    pool = fip.get("pool_name")
    back = f"back to the pool{f' {_quoted(pool)}' if pool else ''}: another project may " \
           "get it, and a new allocation will most likely be a different address."
    holder = _holder(fip)
    if holder:
        return f"{holder} loses {address} (its fixed address stays), which goes {back}"
    return f"{address} goes {back}"


def floating_ip_disassociate(fip: dict) -> str:
    address = fip["floating_ip_address"]
    holder = _holder(fip) or "The port"
    fixed = f" ({fip['fixed_ip_address']})" if fip.get("fixed_ip_address") else ""
    return f"{holder}{fixed} is no longer reachable at {address}; connections through it " \
           "end. The address stays allocated to the project."


def _holder(fip: dict) -> str:
    if fip.get("server_name"):
        return f"The server {_quoted(fip['server_name'])}"
    if fip.get("port_id"):
        return f"The port {fip['port_id'][:8]}"
    return ""


def admin_release(fip: dict) -> str:
    project = fip.get("project_name") or fip.get("project_id") or "its project"
    text = f"{fip['floating_ip_address']} is taken from the project {_quoted(project)} and " \
           "goes back to the pool, where another project may get it."
    if fip.get("server_name"):
        text += f" The server {_quoted(fip['server_name'])} loses it."
    elif fip.get("port_id"):
        text += " The port it points at loses it."
    return text


def pool_delete(pool: dict, subnets: list[dict], usage: dict) -> str:
    name = _quoted(pool.get("name") or pool["id"])
    ranges = f" and its {_count(len(subnets), 'range')} ({_listed([s['cidr'] for s in subnets])})" \
        if subnets else ""
    text = f"The pool {name}{ranges} {'are' if subnets else 'is'} deleted: no project can " \
           "allocate floating IPs or put a router's gateway on it any more."
    if usage.get("used"):
        used = usage["used"]
        text += f" {_in_use(used)} (floating IPs, router gateways): the delete is refused " \
                f"until {'it is' if used == 1 else 'they are'} released."
    return text


def range_delete(pool: dict, subnet: dict) -> str:
    spans = _listed([f"{a['start']}–{a['end']}" for a in subnet.get("allocation_pools") or []])
    text = f"The range {subnet['cidr']}{f' ({spans})' if spans else ''} is removed from the " \
           f"pool {_quoted(pool.get('name') or pool['id'])}: its addresses are no longer " \
           "offered."
    used = (subnet.get("usage") or {}).get("used")
    if used:
        text += f" {_in_use(used)}: Neutron refuses the removal until " \
                f"{'it is' if used == 1 else 'they are'} released."
    return text
