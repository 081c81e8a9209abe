"""What is attached to a server: security groups (Nova's add/removeSecurityGroup, which
change the groups of every port of the server), network interfaces (attach a network or
a free port, detach) and floating IPs (through the networks app's services, audited
there; one taken from a pool for this is released again when the association fails)."""

import logging

from openstack import exceptions as os_exc

from networks import services as network_services
from portal.changes import afterwards
from portal.errors import CloudRefused

from .. import pollstate
from ..errors import explain
from .actions import ACTION_REFUSALS
from .common import accepted, check

log = logging.getLogger(__name__)

GROUP_REFUSALS = [
    (r"Security group .* is not found", "That security group no longer exists."),
    (r"not associated with the instance", "The server is not in that security group (any "
                                          "more)."),
    (r"already associated|is already", "The server is already in that security group."),
    (r"does not have any ports|no ports", "The server has no port to put in a security "
                                          "group."),
    *ACTION_REFUSALS,
]
INTERFACE_REFUSALS = [
    (r"Port .* is still in use|in use", "That port is already attached to a server. Pick "
                                        "another one."),
    (r"Network .* could not be found", "That network no longer exists."),
    (r"Port .* could not be found", "That port no longer exists."),
    (r"not allowed to create an interface on external network",
     "Servers cannot be attached directly to an external network: attach your project's "
     "network and associate a floating IP instead."),
    (r"No more IP addresses|IpAddressGenerationFailure|Failed to allocate",
     "That network has no free address left."),
    (r"Quota exceeded|OverQuota", "Your project's port quota does not allow another "
                                  "interface."),
    (r"[Mm]aximum number of ports|max.*interface", "{nova}"),
    *ACTION_REFUSALS,
]


def add_security_group(actor, server, group: dict) -> str:
    check(actor, server, "security_groups")
    try:
        # By id: names need not be unique in a project, ids are (Nova takes either).
        actor.conn.compute.add_security_group_to_server(server, group["id"])
    except os_exc.HttpException as exc:
        raise explain(exc, GROUP_REFUSALS) from None
    accepted(actor, server, "add_security_group", f"{group['name']} ({group['id']})", run=False)
    return f"Security group {group['name']} added to {server.name}."


def remove_security_group(actor, server, group: dict) -> str:
    check(actor, server, "security_groups")
    try:
        actor.conn.compute.remove_security_group_from_server(server, group["id"])
    except os_exc.HttpException as exc:
        raise explain(exc, GROUP_REFUSALS) from None
    accepted(actor, server, "remove_security_group", f"{group['name']} ({group['id']})", run=False)
    return f"Security group {group['name']} removed from {server.name}."


def attach_interface(actor, server, network: dict | None = None,
                     port: dict | None = None) -> str:
    """A new port on `network` (Nova makes it, and deletes it on detach), or the free
    `port` (kept, free again, on detach)."""
    check(actor, server, "interfaces")
    attrs = {"port_id": port["id"]} if port else {"net_id": network["id"]}
    try:
        made = actor.conn.compute.create_server_interface(server, **attrs)
    except os_exc.HttpException as exc:
        raise explain(exc, INTERFACE_REFUSALS) from None
    ips = ", ".join(f["ip_address"] for f in (made.fixed_ips or []))
    what = f"port {made.port_id}" + (f" ({ips})" if ips else "") + \
        (f" on {network['name'] or network['id']}" if network else "")
    accepted(actor, server, "attach_interface", what, run=False)
    return f"Interface attached to {server.name}: {what}."


def detach_interface(actor, server, port: dict) -> str:
    check(actor, server, "interfaces")
    try:
        actor.conn.compute.delete_server_interface(port["id"], server=server,
                                                   ignore_missing=False)
    except os_exc.NotFoundException:
        raise CloudRefused("That interface is not attached to the server (any more).") \
            from None
    except os_exc.HttpException as exc:
        raise explain(exc, INTERFACE_REFUSALS) from None
    ips = ", ".join(f["ip_address"] for f in port.get("fixed_ips") or [])
    accepted(actor, server, "detach_interface", f"port {port['id']}" +
             (f" ({ips})" if ips else ""), run=False)
    return f"Interface {ips or port['id']} detach requested for {server.name}."


def associate_floating_ip(actor, server, port: dict, fixed_ip: str, *,
                          fip: dict | None = None, pool: dict | None = None) -> str:
    """`fip` (an unattached floating IP of the project) or a new one from `pool`, on the
    server's `port` / `fixed_ip`."""
    check(actor, server, "floating_ips")
    made = None
    if fip is None:
        made = network_services.allocate_floating_ip(
            actor, pool["id"], pool_name=pool.get("name") or "",
            description=f"stackport: for server {server.id}")
        fip = {"id": made.id, "floating_ip_address": made.floating_ip_address}
    try:
        network_services.associate_floating_ip(actor, fip["id"], port["id"], fixed_ip,
                                               server_name=server.name,
                                               pool_name=(pool or {}).get("name", ""))
    except CloudRefused:
        if made is not None:  # nothing half-made: the address taken for this goes back
            _release_quietly(actor, fip)
        raise
    afterwards(f"floating IP on {server.id}", pollstate.kick)
    taken = " (allocated for it)" if made is not None else ""
    return f"Floating IP {fip['floating_ip_address']}{taken} associated with {server.name} " \
           f"({fixed_ip})."


def disassociate_floating_ip(actor, server, fip: dict) -> str:
    check(actor, server, "floating_ips")
    network_services.disassociate_floating_ip(actor, fip["id"])
    afterwards(f"floating IP off {server.id}", pollstate.kick)
    return f"Floating IP {fip['floating_ip_address']} disassociated from {server.name}; " \
           "it stays allocated to the project."


def _release_quietly(actor, fip: dict) -> None:
    try:
        network_services.release_floating_ip(actor, fip)
    except Exception:  # the refusal the person sees matters more; log the leftover
        log.warning("floating IP %s allocated for a refused association was not released",
                    fip["id"], exc_info=True)
