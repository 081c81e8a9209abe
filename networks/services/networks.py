"""Networks and subnets, and the quick path that makes a routed network in one go."""

import logging

from openstack import exceptions as os_exc

from portal.errors import CloudRefused
from portal.reads import collection

from .. import errors
from ..changes import announce
from ..errors import refusals

log = logging.getLogger(__name__)


# --- networks -----------------------------------------------------------------------

def create_network(actor, name: str):
    with refusals(errors.NETWORK):
        net = actor.conn.network.create_network(name=name)
    announce(actor, "network.create", f"{name} ({net.id})")
    return net


def rename_network(actor, network_id: str, name: str):
    with refusals(errors.NETWORK):
        net = actor.conn.network.update_network(network_id, name=name)
    announce(actor, "network.rename", f"{name} ({network_id})")
    return net


def describe_attached(actor, network_id: str) -> str:
    """What holds a network: servers and router interfaces by name, with their IPs.
    Only called when Neutron refused a delete, so its three calls cost nothing usually."""
    conn = actor.conn
    ports = collection(conn.network, "/ports", "ports", network_id=network_id)
    servers = {s["id"]: s["name"] for s in collection(conn.compute, "/servers", "servers")}
    routers = {r["id"]: r["name"] for r in collection(conn.network, "/routers", "routers")}
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


def delete_network(actor, network: dict) -> None:
    try:
        actor.conn.network.delete_network(network["id"], ignore_missing=False)
    except os_exc.HttpException as exc:
        attached = ""
        if errors.refusal(exc).type == "NetworkInUse":
            attached = describe_attached(actor, network["id"])
        raise errors.explain(exc, errors.DELETE_NETWORK, name=network["name"],
                             attached=attached) from exc
    announce(actor, "network.delete", f"{network['name']} ({network['id']})")


# --- subnets ------------------------------------------------------------------------

def create_subnet(actor, network_id: str, body: dict):
    with refusals(errors.SUBNET, name=body.get("name", "")):
        subnet = actor.conn.network.create_subnet(network_id=network_id, **body)
    announce(actor, "subnet.create", f"{subnet.name} {subnet.cidr} ({subnet.id})")
    return subnet


def update_subnet(actor, subnet_id: str, body: dict):
    with refusals(errors.SUBNET, name=body.get("name", "")):
        subnet = actor.conn.network.update_subnet(subnet_id, **body)
    announce(actor, "subnet.update", f"{subnet.name} {subnet.cidr} ({subnet.id})")
    return subnet


def delete_subnet(actor, subnet: dict) -> None:
    with refusals(errors.SUBNET, name=subnet["name"] or subnet["cidr"]):
        actor.conn.network.delete_subnet(subnet["id"], ignore_missing=False)
    announce(actor, "subnet.delete", f"{subnet['cidr']} ({subnet['id']})")


# --- the quick path -------------------------------------------------------------------

def quick_network(actor, name: str, cidr, dns: list, pool: dict) -> dict:
    """Network + subnet + router with its gateway on `pool` + the interface between them.
    A failing step undoes the steps before it, newest first, so nothing half-made stays
    in the cloud; the CloudRefused says which step failed and why."""
    net_api = actor.conn.network
    undo = []
    step = "network"
    # Each step's refusals in its own words: a quota names the one Neutron says was hit
    # (network, subnet, router, or the port of the router's interface).
    words = {"network": errors.NETWORK, "subnet": errors.SUBNET, "router": errors.ROUTER,
             "router interface": {**errors.ROUTER, "quota": "port"}}
    try:
        net = net_api.create_network(name=name)
        undo.append(lambda: net_api.delete_network(net.id))
        step = "subnet"
        subnet = net_api.create_subnet(
            network_id=net.id, name=f"{name}-subnet", cidr=str(cidr), ip_version=cidr.version,
            dns_nameservers=[str(a) for a in dns],
            **({"ipv6_ra_mode": "slaac", "ipv6_address_mode": "slaac"}
               if cidr.version == 6 else {}))
        undo.append(lambda: net_api.delete_subnet(subnet.id))
        step = "router"
        router = net_api.create_router(name=f"{name}-router",
                                       external_gateway_info={"network_id": pool["id"]})
        undo.append(lambda: net_api.delete_router(router.id))
        step = "router interface"
        net_api.add_interface_to_router(router.id, subnet=subnet.id)
    except os_exc.HttpException as exc:
        if exc.status_code == 401:
            raise
        _undo(undo)
        why = errors.explain(exc, words[step], pool=pool["name"], name=name)
        raise CloudRefused(f"Creating the {step} failed, so nothing was created: "
                           f"{why.message}", why.cause) from exc
    announce(actor, "network.quick_create", f"{name} ({net.id})",
             f"subnet {subnet.id}, router {router.id}")
    return {"network": net, "subnet": subnet, "router": router}


def _undo(steps) -> None:
    for fn in reversed(steps):
        try:
            fn()
        except os_exc.SDKException:  # keep undoing the rest; leave a trace for operators
            log.exception("quick path: could not undo a step")
