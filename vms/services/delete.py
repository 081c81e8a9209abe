"""Deleting a server: its ports remembered first (the delete timeline proves their
addresses went back to the pool), and its floating IPs released with it on request."""

import logging

from openstack import exceptions as os_exc

from networks import services as network_services
from portal.changes import afterwards, announce

from .. import fragments, pollstate, servers, timeline
from ..errors import CloudRefused, explain
from ..models import ServerState
from .actions import ACTION_REFUSALS, check, row_as_accepted

log = logging.getLogger(__name__)


def delete(actor, server, release_floating_ips: bool = False) -> str:
    """Delete, remembering the server's ports first: the delete timeline later proves
    their addresses went back to the pool. With `release_floating_ips`, the floating IPs
    on those ports are released too, once Nova has accepted the delete (through the
    networks app's service, so each release is audited and announced)."""
    check(actor, server, "delete")  # locked: only an admin (vms.offered)
    conn = actor.conn
    ports = [{"id": p.id, "mac": p.mac_address, "network_id": p.network_id,
              "fixed_ips": p.fixed_ips or []}
             for p in conn.network.ports(device_id=server.id)]
    fips = servers.floating_ips_on(conn, [p["id"] for p in ports]) if release_floating_ips else []
    try:
        conn.compute.delete_server(server)
    except os_exc.HttpException as exc:
        raise explain(exc, ACTION_REFUSALS) from None
    what = f"delete of {server.id}"
    if ports:
        afterwards(what, ServerState.objects.update_or_create, server_id=server.id,
                   defaults={"project_id": server.project_id, "ports": ports,
                             "status": server.status, "name": server.name})
    ips = ", ".join(f["ip_address"] for p in ports for f in p["fixed_ips"])
    afterwards(what, timeline.record, server.id, server.project_id, "delete_requested",
               f"addresses {ips}" if ips else "")
    afterwards(what, pollstate.kick)

    def tell():
        row = row_as_accepted(actor, server, "deleting")
        announce(actor, "server.delete", server.name, detail=server.id,
                 event=fragments.server(row, timeline.wants_floating_ip(server)))

    afterwards(what, tell)
    said = f"Delete requested for {server.name}."
    released, kept = [], []
    for fip in fips:
        try:
            network_services.release_floating_ip(actor, fip)
            released.append(fip["floating_ip_address"])
        except CloudRefused as refused:
            kept.append(f"{fip['floating_ip_address']} ({refused.message})")
        except Exception as exc:  # the delete stands whatever happens to the release
            log.warning("%s: releasing %s failed", what, fip["id"], exc_info=True)
            kept.append(f"{fip['floating_ip_address']} ({type(exc).__name__})")
    if released:
        said += f" Floating IP {', '.join(released)} released."
    if kept:
        said += f" Not released, still allocated to the project: {'; '.join(kept)}."
    return said
