"""Admin: floating IP pools (external networks), their allocation ranges, and each
project's floating IP quota."""

import logging

from openstack import exceptions as os_exc

from portal.errors import CloudRefused

from .. import errors
from ..changes import announce
from ..errors import refusals

log = logging.getLogger(__name__)


def create_pool(actor, name: str, network_type: str, physnet: str, vlan_id: int | None,
                shared: bool, first_range: dict | None = None):
    """The external network, and its first allocation range when given ({"cidr",
    "pools", "gateway"}, as forms.RangeForm.first_range gives it). A range Neutron
    refuses takes the network with it: no pool without addresses is left behind."""
    attrs = {"name": name, "is_router_external": True, "is_shared": shared,
             "provider_network_type": network_type, "provider_physical_network": physnet}
    if network_type == "vlan":
        attrs["provider_segmentation_id"] = vlan_id
    net_api = actor.conn.network
    with refusals(errors.POOL, vlan=vlan_id, physnet=physnet):
        pool = net_api.create_network(**attrs)
    detail = f"{network_type} {physnet} {vlan_id or ''}".strip()
    if first_range:
        try:
            _create_range(actor, {"id": pool.id, "name": name}, first_range["cidr"],
                          first_range["pools"], first_range.get("gateway"))
        except CloudRefused as refused:
            try:
                net_api.delete_network(pool.id)
            except os_exc.SDKException:
                log.exception("pool %s: could not undo the network", pool.id)
            raise CloudRefused("The range was refused, so the pool was not created: "
                               f"{refused.message}", refused.cause) from refused
        detail += f", range {first_range['cidr']}"
    announce(actor, "floating_ip_pool.create", f"{name} ({pool.id})", detail)
    return pool


def _create_range(actor, pool: dict, cidr, pools: list[dict], gateway=None):
    attrs = {"network_id": pool["id"], "cidr": str(cidr), "ip_version": cidr.version,
             "allocation_pools": pools, "enable_dhcp": False,
             "name": f"{pool['name']}-{cidr}"}
    if gateway is not None:
        attrs["gateway_ip"] = str(gateway)
    with refusals(errors.SUBNET, name=attrs["name"]):
        return actor.conn.network.create_subnet(**attrs)


def add_range(actor, pool: dict, cidr, pools: list[dict], gateway=None):
    subnet = _create_range(actor, pool, cidr, pools, gateway)
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
