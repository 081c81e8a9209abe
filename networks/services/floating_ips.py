"""Floating IPs: the networks pages use these, and so does vms (a server launched "with
a floating IP" gets one from a Celery follow-up acting as `Actor.service(project_id)`).
"""

from .. import errors
from ..changes import announce
from ..errors import refusals


def allocate_floating_ip(actor, pool_id: str, *, pool_name: str = "", description: str = ""):
    """A floating IP from the pool, in the actor's project. The service account names
    the project: allocated without one, the address would be the service project's.
    `description` marks what it is for (vms: the launch, so that a retried follow-up
    finds the address an earlier try allocated)."""
    attrs = {"floating_network_id": pool_id}
    if actor.is_service:
        attrs["project_id"] = actor.project_id
    if description:
        attrs["description"] = description
    with refusals(errors.ALLOCATE_FIP, pool=pool_name or pool_id, server="The server",
                  target="That address"):
        fip = actor.conn.network.create_ip(**attrs)
    announce(actor, "floating_ip.allocate", f"{fip.floating_ip_address} ({fip.id})")
    return fip


def associate_floating_ip(actor, fip_id: str, port_id: str, fixed_ip: str | None = None, *,
                          server_name: str = "", pool_name: str = ""):
    attrs = {"port_id": port_id}
    if fixed_ip:
        attrs["fixed_ip_address"] = fixed_ip
    label = f"“{server_name}”" if server_name else "The server"
    with refusals(errors.ASSOCIATE_FIP, server=label, pool=pool_name or "this pool",
                  target=f"{label} ({fixed_ip})" if fixed_ip else label):
        fip = actor.conn.network.update_ip(fip_id, **attrs)
    announce(actor, "floating_ip.associate", f"{fip.floating_ip_address} ({fip_id})",
             f"port {port_id} {fixed_ip or ''}".strip())
    return fip


def disassociate_floating_ip(actor, fip_id: str):
    with refusals({}):
        fip = actor.conn.network.update_ip(fip_id, port_id=None)
    announce(actor, "floating_ip.disassociate", f"{fip.floating_ip_address} ({fip_id})")
    return fip


def release_floating_ip(actor, fip: dict) -> None:
    with refusals({}):
        actor.conn.network.delete_ip(fip["id"], ignore_missing=False)
    announce(actor, "floating_ip.release", f"{fip['floating_ip_address']} ({fip['id']})")
