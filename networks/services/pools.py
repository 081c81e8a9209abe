"""Admin: floating IP pools (external networks), their allocation ranges, and each
project's floating IP quota."""

from portal.errors import CloudRefused

from .. import errors
from ..changes import announce
from ..errors import refusals


def create_pool(actor, name: str, network_type: str, physnet: str, vlan_id: int | None,
                shared: bool):
    attrs = {"name": name, "is_router_external": True, "is_shared": shared,
             "provider_network_type": network_type, "provider_physical_network": physnet}
    if network_type == "vlan":
        attrs["provider_segmentation_id"] = vlan_id
    with refusals(errors.POOL, vlan=vlan_id, physnet=physnet):
        pool = actor.conn.network.create_network(**attrs)
    announce(actor, "floating_ip_pool.create", f"{name} ({pool.id})",
             f"{network_type} {physnet} {vlan_id or ''}".strip())
    return pool


def add_range(actor, pool: dict, cidr, pools: list[dict], gateway=None):
    attrs = {"network_id": pool["id"], "cidr": str(cidr), "ip_version": cidr.version,
             "allocation_pools": pools, "enable_dhcp": False,
             "name": f"{pool['name']}-{cidr}"}
    if gateway is not None:
        attrs["gateway_ip"] = str(gateway)
    with refusals(errors.SUBNET, name=attrs["name"]):
        subnet = actor.conn.network.create_subnet(**attrs)
    announce(actor, "floating_ip_pool.add_range", f"{pool['name']} ({pool['id']})", str(cidr))
    return subnet


def delete_range(actor, pool: dict, subnet: dict) -> None:
    with refusals(errors.POOL, vlan="", physnet=""):
        actor.conn.network.delete_subnet(subnet["id"], ignore_missing=False)
    announce(actor, "floating_ip_pool.delete_range", f"{pool['name']} ({pool['id']})",
             subnet["cidr"])


def delete_pool(actor, pool: dict, fip_count: int) -> None:
    """Refused while floating IPs are allocated from the pool: releasing them is a
    decision about other projects' addresses, which deleting a pool must not make."""
    if fip_count:
        raise CloudRefused(f"The pool “{pool['name']}” still has {fip_count} floating "
                           f"IP{'s' if fip_count != 1 else ''} allocated. Release them "
                           "first.")
    with refusals(errors.POOL, vlan="", physnet=""):
        actor.conn.network.delete_network(pool["id"], ignore_missing=False)
    announce(actor, "floating_ip_pool.delete", f"{pool['name']} ({pool['id']})")


def set_floating_ip_quota(actor, project_id: str, limit: int) -> None:
    with refusals(errors.QUOTA):
        actor.conn.network.update_quota(project_id, floating_ips=limit)
    announce(actor, "floating_ip_quota.set", project_id, str(limit))
