"""A server's row and detail panels again, after a change Neutron saw and Nova did not.

Nova leaves a server's `updated` alone when one of its ports changes (a floating IP
attached or released, a security group added, an interface's address), so the poller's
changes-since does not bring it. Whoever sees such a change calls one of these with the
Neutron data it already has: the networks app's Neutron poll (`neutron_changed`, with the
ports and floating IPs its changed_since lists returned), a follow-up that attached a
floating IP (`fetch_and_publish`). What Nova said of the server last (ServerState) is
kept; ports and floating IPs come from Neutron. No Nova call.
"""

from collections import defaultdict

from portal.changes import publish_quietly

from . import fragments, panels, servers, timeline
from .models import ServerState


def neutron_changed(ports: list[dict], floating_ips: list[dict], conn=None) -> int:
    """Ports and floating IPs Neutron changed (its own dicts, any project): the servers
    they belong to get their rows and panels pushed again. A floating IP names only its
    port, so with `conn` the ports of those servers are listed (one batched call);
    without it only the servers whose ports are given are done. Returns how many."""
    by_device: dict[str, list[dict]] = defaultdict(list)
    for p in ports:
        if (p.get("device_owner") or "").startswith("compute:") and p.get("device_id"):
            by_device[p["device_id"]].append(p)
    port_ids = {p["id"] for found in by_device.values() for p in found}
    orphans = [f for f in floating_ips if f.get("port_id") and f["port_id"] not in port_ids]
    if orphans and conn is not None:
        states = ServerState.objects.exclude(status="DELETED").values_list("server_id",
                                                                            "row")
        wanted = {f["port_id"] for f in orphans}
        more = [sid for sid, row in states
                if wanted & {p["id"] for p in (row.get("panels") or {}).get("ports", [])}]
        if more:
            for p in servers.ports_of(conn, more):
                by_device[p["device_id"]].append(p)
    if not by_device:
        return 0
    return publish(by_device, floating_ips)


def fetch_and_publish(conn, server_ids: list[str]) -> int:
    """The servers' ports and the floating IPs on them from Neutron (2 calls), then
    their rows and panels pushed again."""
    by_device: dict[str, list[dict]] = {sid: [] for sid in server_ids}
    for p in servers.ports_of(conn, server_ids):
        by_device.setdefault(p["device_id"], []).append(p)
    fips = servers.floating_ips_on(conn, [p["id"] for f in by_device.values() for p in f])
    return publish(by_device, fips)


def publish(ports_by_server: dict[str, list[dict]], floating_ips: list[dict]) -> int:
    """Update the kept rows with these ports and floating IPs (all of each server's
    ports) and push each changed server's row and panels to its project."""
    done = 0
    for state in ServerState.objects.filter(server_id__in=list(ports_by_server)).exclude(
            status="DELETED"):
        kept = state.row.get("panels") or {"server_id": state.server_id}
        shown = panels.with_neutron(kept, ports_by_server[state.server_id], floating_ips)
        row = {**state.row, "fixed": shown["fixed"], "floating": shown["floating"],
               "panels": shown}
        if row == state.row:
            continue
        state.row = row
        state.save(update_fields=["row"])
        html = fragments.server(row, timeline.asked_floating_ip(state.request_id))
        extra = fragments.panels(shown)
        publish_quietly(state.project_id, {a: f + extra for a, f in html.items()})
        done += 1
    return done
