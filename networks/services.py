"""Operations that change the cloud. Each is one Neutron call (the quick path is four,
undone on failure), made with the connection it is given (the person's own token), and
ends by announcing itself: an audit record and a live update to the project's open pages.

Refusals raise errors.CloudRefused with a message for the person; other apps (vms) may
call the floating IP functions: allocate_floating_ip, associate_floating_ip,
disassociate_floating_ip, release_floating_ip.
"""

import logging
from contextlib import contextmanager

from django.template.loader import render_to_string
from openstack import exceptions as os_exc

from portal.changes import announce

from . import errors
from .errors import CloudRefused
from .lookups import list_json

log = logging.getLogger(__name__)


def _announce(request, action: str, target: str, detail: str = "") -> None:
    """Audit the change and tell the project's open pages that networking changed."""
    if request is None:
        return
    html = render_to_string("networks/changed.html", {"action": action, "target": target})
    announce(request.actor, action, target, event=html, detail=detail)


@contextmanager
def _refusals(messages: dict, **context):
    """Turn an HTTP refusal from the cloud into CloudRefused with the operation's words."""
    try:
        yield
    except os_exc.HttpException as exc:
        raise errors.explain(exc, messages, **context) from exc


# --- networks -----------------------------------------------------------------------

def create_network(conn, name: str, *, request=None):
    with _refusals(errors.NETWORK):
        net = conn.network.create_network(name=name)
    _announce(request, "network.create", f"{name} ({net.id})")
    return net


def rename_network(conn, network_id: str, name: str, *, request=None):
    with _refusals(errors.NETWORK):
        net = conn.network.update_network(network_id, name=name)
    _announce(request, "network.rename", f"{name} ({network_id})")
    return net


def describe_attached(conn, network_id: str) -> str:
    """What holds a network: servers and router interfaces by name, with their IPs.
    Only called when Neutron refused a delete, so its two calls cost nothing usually."""
    ports = list_json(conn.network, "/ports", "ports", network_id=network_id)
    servers = {s["id"]: s["name"] for s in list_json(conn.compute, "/servers", "servers")}
    routers = {r["id"]: r["name"] for r in list_json(conn.network, "/routers", "routers")}
    # Servers first, then routers, then anything else: the order a person acts on them.
    servers_, routers_, others = [], [], []
    for p in ports:
        ips = ", ".join(ip["ip_address"] for ip in p["fixed_ips"])
        owner = p.get("device_owner") or ""
        if owner.startswith("compute:"):
            servers_.append(f"server “{servers.get(p['device_id'], p['device_id'])}” ({ips})")
        elif owner == "network:router_interface":
            routers_.append(f"router “{routers.get(p['device_id'], p['device_id'])}” ({ips})")
        elif owner != "network:dhcp":  # Neutron removes its DHCP ports itself
            others.append(f"port {p['name'] or p['id'][:8]} ({ips})")
    parts = sorted(servers_) + sorted(routers_) + sorted(others)
    return "; ".join(parts) or "ports"


def delete_network(conn, network: dict, *, request=None) -> None:
    try:
        conn.network.delete_network(network["id"], ignore_missing=False)
    except os_exc.HttpException as exc:
        attached = ""
        if errors.refusal(exc).type == "NetworkInUse":
            attached = describe_attached(conn, network["id"])
        raise errors.explain(exc, errors.DELETE_NETWORK, name=network["name"],
                             attached=attached) from exc
    _announce(request, "network.delete", f"{network['name']} ({network['id']})")


# --- subnets ------------------------------------------------------------------------

def create_subnet(conn, network_id: str, body: dict, *, request=None):
    with _refusals(errors.SUBNET, name=body.get("name", "")):
        subnet = conn.network.create_subnet(network_id=network_id, **body)
    _announce(request, "subnet.create", f"{subnet.name} {subnet.cidr} ({subnet.id})")
    return subnet


def update_subnet(conn, subnet_id: str, body: dict, *, request=None):
    with _refusals(errors.SUBNET, name=body.get("name", "")):
        subnet = conn.network.update_subnet(subnet_id, **body)
    _announce(request, "subnet.update", f"{subnet.name} {subnet.cidr} ({subnet.id})")
    return subnet


def delete_subnet(conn, subnet: dict, *, request=None) -> None:
    with _refusals(errors.SUBNET, name=subnet["name"] or subnet["cidr"]):
        conn.network.delete_subnet(subnet["id"], ignore_missing=False)
    _announce(request, "subnet.delete", f"{subnet['cidr']} ({subnet['id']})")


# --- routers ------------------------------------------------------------------------

def create_router(conn, name: str, pool: dict | None, *, request=None):
    attrs = {"name": name}
    if pool:
        attrs["external_gateway_info"] = {"network_id": pool["id"]}
    with _refusals(errors.ROUTER, pool=pool["name"] if pool else "", name=name):
        router = conn.network.create_router(**attrs)
    _announce(request, "router.create", f"{name} ({router.id})")
    return router


def add_interface(conn, router: dict, subnet_id: str, *, request=None) -> None:
    with _refusals(errors.ROUTER, name=router["name"], pool=""):
        conn.network.add_interface_to_router(router["id"], subnet=subnet_id)
    _announce(request, "router.add_interface", f"{router['name']} ({router['id']})", subnet_id)


def remove_interface(conn, router: dict, subnet_id: str, *, request=None) -> None:
    with _refusals(errors.ROUTER, name=router["name"], pool=""):
        conn.network.remove_interface_from_router(router["id"], subnet=subnet_id)
    _announce(request, "router.remove_interface", f"{router['name']} ({router['id']})",
              subnet_id)


def delete_router(conn, router: dict, *, request=None) -> None:
    with _refusals(errors.ROUTER, name=router["name"], pool=""):
        conn.network.delete_router(router["id"], ignore_missing=False)
    _announce(request, "router.delete", f"{router['name']} ({router['id']})")


# --- the quick path -------------------------------------------------------------------

def quick_network(conn, name: str, cidr, dns: list, pool: dict, *, request=None) -> dict:
    """Network + subnet + router with its gateway on `pool` + the interface between them.
    A failing step undoes the steps before it, newest first, so nothing half-made stays
    in the cloud; the CloudRefused says which step failed and why."""
    undo = []
    step = "network"
    try:
        net = conn.network.create_network(name=name)
        undo.append(lambda: conn.network.delete_network(net.id))
        step = "subnet"
        subnet = conn.network.create_subnet(
            network_id=net.id, name=f"{name}-subnet", cidr=str(cidr), ip_version=cidr.version,
            dns_nameservers=[str(a) for a in dns],
            **({"ipv6_ra_mode": "slaac", "ipv6_address_mode": "slaac"}
               if cidr.version == 6 else {}))
        undo.append(lambda: conn.network.delete_subnet(subnet.id))
        step = "router"
        router = conn.network.create_router(name=f"{name}-router",
                                            external_gateway_info={"network_id": pool["id"]})
        undo.append(lambda: conn.network.delete_router(router.id))
        step = "router interface"
        conn.network.add_interface_to_router(router.id, subnet=subnet.id)
    except os_exc.HttpException as exc:
        if exc.status_code == 401:
            raise
        _undo(undo)
        why = errors.explain(exc, {**errors.NETWORK, **errors.SUBNET, **errors.ROUTER},
                             pool=pool["name"], name=name)
        raise CloudRefused(f"Creating the {step} failed, so nothing was created: "
                           f"{why.message}", why.cause) from exc
    _announce(request, "network.quick_create", f"{name} ({net.id})",
              f"subnet {subnet.id}, router {router.id}")
    return {"network": net, "subnet": subnet, "router": router}


def _undo(steps) -> None:
    for fn in reversed(steps):
        try:
            fn()
        except os_exc.SDKException:  # keep undoing the rest; leave a trace for operators
            log.exception("quick path: could not undo a step")


# --- floating IPs (public: vms uses these) --------------------------------------------

def allocate_floating_ip(conn, pool_id: str, *, pool_name: str = "", request=None):
    with _refusals(errors.ALLOCATE_FIP, pool=pool_name or pool_id, server="The server",
                   target="That address"):
        fip = conn.network.create_ip(floating_network_id=pool_id)
    _announce(request, "floating_ip.allocate", f"{fip.floating_ip_address} ({fip.id})")
    return fip


def associate_floating_ip(conn, fip_id: str, port_id: str, fixed_ip: str | None = None, *,
                          server_name: str = "", pool_name: str = "", request=None):
    attrs = {"port_id": port_id}
    if fixed_ip:
        attrs["fixed_ip_address"] = fixed_ip
    label = f"“{server_name}”" if server_name else "The server"
    with _refusals(errors.ASSOCIATE_FIP, server=label, pool=pool_name or "this pool",
                   target=f"{label} ({fixed_ip})" if fixed_ip else label):
        fip = conn.network.update_ip(fip_id, **attrs)
    _announce(request, "floating_ip.associate", f"{fip.floating_ip_address} ({fip_id})",
              f"port {port_id} {fixed_ip or ''}".strip())
    return fip


def disassociate_floating_ip(conn, fip_id: str, *, request=None):
    with _refusals({}):
        fip = conn.network.update_ip(fip_id, port_id=None)
    _announce(request, "floating_ip.disassociate", f"{fip.floating_ip_address} ({fip_id})")
    return fip


def release_floating_ip(conn, fip: dict, *, request=None) -> None:
    with _refusals({}):
        conn.network.delete_ip(fip["id"], ignore_missing=False)
    _announce(request, "floating_ip.release", f"{fip['floating_ip_address']} ({fip['id']})")


# --- security groups ----------------------------------------------------------------

def create_security_group(conn, name: str, description: str = "", *, request=None):
    with _refusals(errors.SECURITY_GROUP, name=name):
        group = conn.network.create_security_group(name=name, description=description)
    _announce(request, "security_group.create", f"{name} ({group.id})")
    return group


def delete_security_group(conn, group: dict, *, request=None) -> None:
    with _refusals(errors.SECURITY_GROUP, name=group["name"]):
        conn.network.delete_security_group(group["id"], ignore_missing=False)
    _announce(request, "security_group.delete", f"{group['name']} ({group['id']})")


def add_rules(conn, group: dict, rules: list[dict], *, request=None) -> list:
    """One or more rules (a preset like HTTP+HTTPS is two) in one bulk request, which
    Neutron applies all or nothing."""
    bodies = [{**r, "security_group_id": group["id"]} for r in rules]
    with _refusals(errors.SECURITY_GROUP, name=group["name"]):
        created = list(conn.network.create_security_group_rules(bodies))
    _announce(request, "security_group.add_rules", f"{group['name']} ({group['id']})",
              ", ".join(r.id for r in created))
    return created


def delete_rule(conn, group: dict, rule_id: str, *, request=None) -> None:
    with _refusals(errors.SECURITY_GROUP, name=group["name"]):
        conn.network.delete_security_group_rule(rule_id, ignore_missing=False)
    _announce(request, "security_group.delete_rule", f"{group['name']} ({group['id']})",
              rule_id)


# --- admin: floating IP pools ---------------------------------------------------------

def create_pool(conn, name: str, network_type: str, physnet: str, vlan_id: int | None,
                shared: bool, *, request=None):
    attrs = {"name": name, "is_router_external": True, "is_shared": shared,
             "provider_network_type": network_type, "provider_physical_network": physnet}
    if network_type == "vlan":
        attrs["provider_segmentation_id"] = vlan_id
    with _refusals(errors.POOL, vlan=vlan_id, physnet=physnet):
        pool = conn.network.create_network(**attrs)
    _announce(request, "floating_ip_pool.create", f"{name} ({pool.id})",
              f"{network_type} {physnet} {vlan_id or ''}".strip())
    return pool


def add_range(conn, pool: dict, cidr, pools: list[dict], gateway=None, *, request=None):
    attrs = {"network_id": pool["id"], "cidr": str(cidr), "ip_version": cidr.version,
             "allocation_pools": pools, "enable_dhcp": False,
             "name": f"{pool['name']}-{cidr}"}
    if gateway is not None:
        attrs["gateway_ip"] = str(gateway)
    with _refusals(errors.SUBNET, name=attrs["name"]):
        subnet = conn.network.create_subnet(**attrs)
    _announce(request, "floating_ip_pool.add_range", f"{pool['name']} ({pool['id']})", str(cidr))
    return subnet


def delete_range(conn, pool: dict, subnet: dict, *, request=None) -> None:
    with _refusals(errors.POOL, vlan="", physnet=""):
        conn.network.delete_subnet(subnet["id"], ignore_missing=False)
    _announce(request, "floating_ip_pool.delete_range", f"{pool['name']} ({pool['id']})",
              subnet["cidr"])


def delete_pool(conn, pool: dict, fip_count: int, *, request=None) -> None:
    """Refused while floating IPs are allocated from the pool: releasing them is a
    decision about other projects' addresses, which deleting a pool must not make."""
    if fip_count:
        raise CloudRefused(f"The pool “{pool['name']}” still has {fip_count} floating "
                           f"IP{'s' if fip_count != 1 else ''} allocated. Release them "
                           "first.")
    with _refusals(errors.POOL, vlan="", physnet=""):
        conn.network.delete_network(pool["id"], ignore_missing=False)
    _announce(request, "floating_ip_pool.delete", f"{pool['name']} ({pool['id']})")


def set_floating_ip_quota(conn, project_id: str, limit: int, *, request=None) -> None:
    with _refusals(errors.QUOTA):
        conn.network.update_quota(project_id, floating_ips=limit)
    _announce(request, "floating_ip_quota.set", project_id, str(limit))
