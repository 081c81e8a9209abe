"""The poller's follow-ups, each idempotent (a step already on the timeline is not done
again) and each saying whether it is finished; raising NotYet asks tasks.py (Celery) to
try again later. Each acts as the service account for the server's project
(Actor.service): user tokens never reach the broker, and what it changes in the cloud
goes through the owning app's services, so it is audited and announced like a person's
change."""

import logging
import re

from openstack import exceptions as os_exc

from networks import services as network_services
from portal.actor import Actor
from portal.changes import publish_quietly

from . import fragments, refresh, timeline
from .models import ServerState

log = logging.getLogger(__name__)
LEASE = re.compile(r"udhcpc: lease of (?P<ip>[\d.]+) obtained from (?P<server>[\d.]+)")
LINK = re.compile(r"link/ether (?P<mac>[0-9a-f:]{17})")


class NotYet(Exception):
    """The thing waited for has not happened yet: try again later."""


def _state(server_id: str) -> ServerState | None:
    return ServerState.objects.filter(server_id=server_id).first()


def _show_timeline(state: ServerState, wants_floating_ip: bool = False) -> None:
    """A new timeline step (the portal's own record, not a change to the cloud)."""
    publish_quietly(state.project_id,
                    fragments.timeline_of(state.server_id, wants_floating_ip))


def dhcp_lease(server_id: str) -> str:
    """Find the guest's DHCP lease in its console log (the seed's proof it got its IP)."""
    state = _state(server_id)
    if state is None or timeline.has(server_id, "dhcp_lease"):
        return "done"
    conn = Actor.service(state.project_id).conn
    try:
        output = conn.compute.get_server_console_output(server_id)["output"] or ""
    except os_exc.NotFoundException:
        return "server gone"
    leases = [m.groupdict() for m in LEASE.finditer(output)]
    if not leases:
        raise NotYet("no DHCP lease in the console log yet")
    macs = LINK.findall(output)
    detail = "; ".join(f"lease of {le['ip']} from {le['server']}" for le in leases)
    if macs:
        detail += " (" + ", ".join(m for m in macs if m != "00:00:00:00:00:00") + ")"
    timeline.record(server_id, state.project_id, "dhcp_lease", detail)
    # A launch that asked for no floating IP shows no pending "Floating IP attached".
    _show_timeline(state, timeline.asked_floating_ip(state.request_id))
    return "recorded"


def dhcp_lease_missing(server_id: str, reason: str = "") -> None:
    """After the last try: say so on the timeline rather than leave it pending forever."""
    state = _state(server_id)
    if state is not None:
        timeline.record(server_id, state.project_id, "dhcp_lease",
                        "no DHCP lease line appeared in the console log", failed=True)
        _show_timeline(state, timeline.asked_floating_ip(state.request_id))


def launch_tag(state: ServerState) -> str:
    """The description of the floating IP a launch asked for: how a retry finds the one
    an earlier try allocated but did not get to associate."""
    return f"stackport: launch of {state.name} (server {state.server_id})"


def _floating_ip_for(actor: Actor, port, pool_id: str, state: ServerState):
    """The port's floating IP: one it has, one an earlier try allocated, or a new one."""
    conn = actor.conn
    attached = list(conn.network.ips(port_id=port.id))
    if attached:
        return attached[0]
    tag = launch_tag(state)
    earlier = [f for f in conn.network.ips(project_id=state.project_id,
                                           floating_network_id=pool_id)
               if f.description == tag and not f.port_id]
    fip = earlier[0] if earlier else network_services.allocate_floating_ip(
        actor, pool_id, description=tag)
    return network_services.associate_floating_ip(actor, fip.id, port.id,
                                                  server_name=state.name)


def attach_floating_ip(server_id: str, pool_id: str) -> str:
    """Give the server's first port a floating IP from the pool, once. Allocating and
    associating are the networks app's services (audited as floating_ip.allocate and
    floating_ip.associate by the service account, in the server's project)."""
    state = _state(server_id)
    if state is None or timeline.has(server_id, "floating_ip"):
        return "done"
    actor = Actor.service(state.project_id)
    ports = list(actor.conn.network.ports(device_id=server_id))
    if not ports:
        raise NotYet("the server has no port yet")
    port = sorted(ports, key=lambda p: p.created_at or "")[0]
    fip = _floating_ip_for(actor, port, pool_id, state)
    timeline.record(server_id, state.project_id, "floating_ip", fip.floating_ip_address)
    # Nova's server does not change when Neutron attaches a floating IP, so changes-since
    # will not report it: push the row and panels ourselves (the timeline comes with them).
    if not refresh.fetch_and_publish(actor.conn, [server_id]):
        _show_timeline(state, True)
    return "attached"


def floating_ip_failed(server_id: str, pool_id: str = "", reason: str = "") -> None:
    state = _state(server_id)
    if state is not None:
        timeline.record(server_id, state.project_id, "floating_ip",
                        f"could not attach: {reason}", failed=True)
        _show_timeline(state, True)


def addresses_free(server_id: str) -> str:
    """After a delete: the server's ports are gone and each of its fixed IPs is held by no
    port in its subnet — asked of Neutron, not assumed."""
    state = _state(server_id)
    if state is None or timeline.has(server_id, "ip_free"):
        return "done"
    conn = Actor.service(state.project_id).conn
    if list(conn.network.ports(device_id=server_id)):
        raise NotYet("the server's ports are still there")
    timeline.record(server_id, state.project_id, "ports_removed")
    held = []
    freed = []
    for port in state.ports:
        for fixed in port.get("fixed_ips", []):
            ip, subnet = fixed["ip_address"], fixed["subnet_id"]
            holders = list(conn.network.ports(fixed_ips=[f"ip_address={ip}",
                                                         f"subnet_id={subnet}"]))
            (held if holders else freed).append(ip)
    if held:
        raise NotYet(f"{', '.join(held)} still in use")
    detail = (", ".join(freed) + " free") if freed else "the server had no fixed addresses"
    timeline.record(server_id, state.project_id, "ip_free", detail)
    _show_timeline(state, timeline.asked_floating_ip(state.request_id))
    return "verified"


def addresses_still_held(server_id: str, reason: str = "") -> None:
    """After the last try: the addresses are still held (an operator's matter: logged)."""
    log.warning("addresses of %s still not free: %s", server_id, reason)
