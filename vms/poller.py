"""The poller: one tick looks at the whole cloud with the service account.

    1 Nova call     GET /servers/detail?all_tenants=1&changes-since=<since>
    1 Neutron call  GET /ports?device_id=a&device_id=b…  (changed servers only, if any)
    1 Neutron call  GET /floatingips?port_id=a&port_id=b…  (their ports, if any)
    1 Glance call   GET /images?id=in:a,b…  (only while a snapshot uploads: vms.snapshots)

It diffs the answer against ServerState, writes timeline steps, publishes each changed
server's row/status/timeline to its project, and returns the follow-ups it calls for (DHCP
lease check, floating IP attach, address-free check) as data: (task name, args) pairs
that tasks.poll enqueues, so the poller imports no Celery task (and nothing imports it
back). `since` moves only after a poll has been fully processed, so a poll killed
half-way is simply done again by the next tick (changes-since catches up). Beat fires
every second; `tick` decides whether a poll is due: 1 s while anything is in transition,
PORTAL_POLL_QUIET_INTERVAL (1 s) otherwise, backing off while Nova does not answer.
"""

import logging
import time
from collections import defaultdict
from datetime import UTC, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as os_exc

from portal import metrics, projects
from portal.actor import Actor
from portal.cloud import service_connection
from portal.events import publish, publish_to_admins
from portal.reads import collection

from . import (
    action_steps,
    admin_rows,
    fragments,
    panels,
    pollstate,
    rows,
    snapshots,
    timeline,
)
from .models import ActionRun, LaunchRequest, ServerState, TimelineEvent
from .names import image_names
from .servers import detailed, floating_ips_on, ports_of

log = logging.getLogger(__name__)
PORTS_PER_QUERY = 120  # device_id filters per Neutron call (keeps the URL under 8 KB)
OVERLAP = timedelta(seconds=1)  # Nova's updated_at has 1 s resolution: look back a little
SKEW = timedelta(seconds=60)
RUN_WATCHED = timedelta(minutes=10)  # an action under way keeps the fast pace this long
UNREACHABLE = (os_exc.SDKException, ks_exc.ClientException)
# The follow-ups, by Celery task name (vms.tasks defines the tasks under these names).
CHECK_DHCP_LEASE = "vms.tasks.check_dhcp_lease"
ATTACH_FLOATING_IP = "vms.tasks.attach_floating_ip"
VERIFY_ADDRESSES_FREE = "vms.tasks.verify_addresses_free"


def tick(force: bool = False, conn=None) -> dict:
    """The periodic task's body: poll if due and if no other poll is running. A poll's
    answer has "followups": [(task name, args), ...] for the caller to enqueue."""
    now = time.time()
    if not force and now < pollstate.next_at():
        return {"polled": False, "reason": "not due"}
    with pollstate.leased() as held:
        if not held:
            return {"polled": False, "reason": "another poll is running"}
        conn = conn or service_connection()
        started = time.time()
        result = poll(conn)
        # a notification (or the portal's own action) while this poll ran: its change may
        # be newer than the list, and the task it sent found the lock held: poll again now
        # rather than at beat's next second
        if result.get("polled") and pollstate.kicked_after(started):
            again = poll(conn)
            if again.get("polled"):
                result = {**again, "followups": result["followups"] + again["followups"]}
        return result


def _list_changed(conn, since: str | None) -> list:
    query = {"all_tenants": 1}
    if since:
        query["changes-since"] = since
    return detailed(conn, query, follow=True)


def poll(conn) -> dict:
    started = time.time()
    since = pollstate.since()
    polled_at = timezone.now()  # before the list call: what it shows is at least this new
    try:
        servers = _list_changed(conn, since)
        runs = action_steps.open_runs(s.id for s in servers)
        changed = _changed(servers, runs)
        ports = _ports(conn, [s.id for s in changed])
        fips = _floating_ips(conn, [p["id"] for found in ports.values() for p in found])
        names = image_names(conn, {rows.image_id_of(s) for s in changed})
    except UNREACHABLE as exc:
        if isinstance(exc, os_exc.HttpException) and exc.status_code and \
                exc.status_code < 500 and exc.status_code not in (401, 408, 429):
            raise
        delay = pollstate.failed(time.time())
        log.warning("poll failed (%s); next try in %.0f s", exc, delay)
        if pollstate.failures() == 1:
            _broadcast(fragments.stale(pollstate.staleness()))
        return {"polled": False, "reason": f"cloud did not answer: {exc}"}
    by_project = defaultdict(lambda: defaultdict(list))  # project → audience → fragments
    # One transaction for the tick's writes: one lock, one commit, however many changed.
    # The follow-ups are returned once it has committed, so they find what it wrote.
    followups: list[tuple[str, tuple]] = []
    with transaction.atomic():
        seen = _Seen(changed, runs)
        for server in changed:
            html = _apply(server, ports.get(server.id, []), fips, names, seen, followups,
                          polled_at)
            for audience, fragment in html.items():
                by_project[server.project_id][audience].append(fragment)
    _admin_rows(conn, changed, by_project)
    for project_id, audiences in by_project.items():
        for audience, html in audiences.items():
            publish(project_id, "".join(html), audience=audience)
    for project_id, html in _follow_snapshots(conn).items():
        publish(project_id, html)  # the same for every audience
    was_failing = pollstate.failures() > 0
    _advance(since, servers)
    pollstate.succeeded(time.time(), transitional=_anything_transitional(), started=started)
    if was_failing:
        _broadcast(fragments.stale(None))
    metrics.POLL_DURATION.observe(time.time() - started)
    return {"polled": True, "servers": len(servers), "changed": len(changed),
            "seconds": round(time.time() - started, 3), "followups": followups}


def _admin_rows(conn, changed, by_project) -> None:
    """The changed servers' rows on the admins' all-projects list (vms.admin_rows): sent to
    every admin's pages now, their linked variant queued for their own project's admin
    pages (sent after, so it is the one kept there)."""
    if not changed:
        return
    wanted = {s.project_id for s in changed}
    try:  # Keystone's names, cached for minutes: a warm tick asks nothing
        names = projects.names(Actor.service(conn=conn), wanted)
        if wanted - set(names):  # a project made since (the cache asks again only later)
            names = {p["id"]: p["name"] for p in collection(conn.identity, "/projects",
                                                            "projects")}
    except UNREACHABLE as exc:
        log.warning("project names for the admins' rows not read: %s", exc)
        names = {}
    everyone = []
    for server in changed:
        if server.status == "DELETED":
            everyone.append(admin_rows.removed(server.id))
            continue
        anywhere, own = admin_rows.pushed(server, names)
        everyone.append(anywhere)
        by_project[server.project_id]["admin"].append(own)
    publish_to_admins("".join(everyone), kind="server.admin_row")


def _advance(since: str | None, servers) -> None:
    """Move the cursor to Nova's newest `updated` (its clock, not ours). A cloud with no
    servers yet gives no such time: start from ours, a minute back for clock skew."""
    stamps = [parse_datetime(s.updated_at) for s in servers if s.updated_at]
    if stamps:
        pollstate.set_since((max(stamps) - OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ"))
    elif since is None:
        pollstate.set_since((timezone.now() - SKEW).strftime("%Y-%m-%dT%H:%M:%SZ"))


def _changed(servers, runs: dict) -> list:
    """Servers whose status, task, lock, addresses, security groups, volumes or name
    differ from what we saw last, and those with an action under way (a reboot may end
    as it began: ACTIVE)."""
    known = ServerState.objects.in_bulk([s.id for s in servers])
    out = []
    for s in servers:
        prev = known.get(s.id)
        fixed, floating = rows.addresses(s)
        seen = (prev.row.get("panels") or {}) if prev else {}
        if (prev is None or prev.status != s.status or prev.task_state != (s.task_state or "")
                or prev.name != s.name or prev.row.get("fixed") != fixed
                or prev.row.get("floating") != floating
                or prev.row.get("locked", False) != bool(getattr(s, "is_locked", False))
                or prev.row.get("vm_state", s.vm_state) != s.vm_state or s.id in runs
                or seen.get("security_groups") != panels.build(s, [], [])["security_groups"]
                or seen.get("volumes") != [v.get("id") for v in panels.volumes_of(s)]):
            out.append(s)
    return out


def _ports(conn, server_ids: list[str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = defaultdict(list)
    for i in range(0, len(server_ids), PORTS_PER_QUERY):
        for p in ports_of(conn, server_ids[i:i + PORTS_PER_QUERY]):
            found[p["device_id"]].append({
                "id": p["id"], "mac": p["mac_address"], "network_id": p["network_id"],
                "fixed_ips": p.get("fixed_ips") or [], "created_at": p.get("created_at"),
                "status": p.get("status", "")})
    return found


def _floating_ips(conn, port_ids: list[str]) -> list[dict]:
    """The floating IPs on the changed servers' ports (for their detail panels)."""
    found = []
    for i in range(0, len(port_ids), PORTS_PER_QUERY):
        found += floating_ips_on(conn, port_ids[i:i + PORTS_PER_QUERY])
    return found


def _at(value):
    parsed = parse_datetime(value) if value else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed or timezone.now()


class _Seen:
    """What the tick needs from the database about its changed servers, in three queries
    rather than several per server."""

    def __init__(self, servers, runs: dict):
        ids = [s.id for s in servers]
        self.runs = runs
        self.states = ServerState.objects.in_bulk(ids)
        rids = {(s.metadata or {}).get("stackport_request") for s in servers} - {None}
        self.launches = {lr.request_id: lr for lr in
                         LaunchRequest.objects.filter(request_id__in=rids)}
        self.steps = set(TimelineEvent.objects.filter(server_id__in=ids)
                         .values_list("server_id", "step"))

    def has(self, server_id: str, step: str) -> bool:
        return (server_id, step) in self.steps

    def launch_of(self, server) -> LaunchRequest | None:
        return self.launches.get((server.metadata or {}).get("stackport_request"))


def _apply(server, ports: list[dict], fips: list[dict], names: dict, seen: _Seen,
           followups: list, polled_at) -> dict[str, str]:
    """Record what changed for one server; return its fragments (by audience)."""
    sid, project = server.id, server.project_id
    prev = seen.states.get(sid)
    row = rows.row(server, names)
    shown = panels.build(server, ports, fips)
    launch = seen.launch_of(server)
    if server.status != "DELETED":
        _launch_steps(server, ports, seen, launch, followups)
    else:
        _delete_steps(server, ports, followups)
    action_steps.observe(server, seen.runs.get(sid), polled_at)
    kept_ports = ports or (prev.ports if prev else [])
    ServerState.objects.update_or_create(server_id=sid, defaults={
        "project_id": project, "name": server.name or "", "status": server.status,
        "task_state": server.task_state or "", "row": {**row, "panels": shown},
        "ports": [{k: v for k, v in p.items() if k != "created_at"} for p in kept_ports],
        "request_id": launch.request_id if launch else ""})
    html = fragments.server(row, bool(launch and launch.floating_pool_id))
    if server.status == "DELETED":
        return html
    extra = fragments.panels(shown)  # the same for every audience
    return {audience: fragment + extra for audience, fragment in html.items()}


def _port_detail(ports: list[dict]) -> str:
    parts = []
    for p in ports:
        ips = ", ".join(f["ip_address"] for f in p["fixed_ips"])
        parts.append(f"MAC {p['mac']}, IP {ips}")
    return "; ".join(parts)


def _volume_detail(server) -> str:
    """The root volume of a volume-backed server (Nova lists its boot volume first)."""
    root = server.attached_volumes[0]
    keep = "deleted with the server" if root.get("delete_on_termination") else \
        "kept after the server is deleted"
    return f"volume {root.get('id')}, {keep}"


def _launch_steps(server, ports, seen: _Seen, launch, followups: list) -> None:
    sid, project = server.id, server.project_id
    if not seen.has(sid, "building"):
        timeline.record(sid, project, "building", at=_at(server.created_at))
    if ports and not seen.has(sid, "port_created"):
        timeline.record(sid, project, "port_created", _port_detail(ports),
                        at=_at(min(p["created_at"] or "" for p in ports) or None))
    if not seen.has(sid, "volume_attached") and not rows.image_id_of(server) \
            and server.attached_volumes:
        timeline.record(sid, project, "volume_attached", _volume_detail(server))
    if server.status == "ACTIVE" and not seen.has(sid, "active") and timeline.record(
            sid, project, "active", at=_at(server.launched_at)):
        followups.append((CHECK_DHCP_LEASE, (sid,)))
        if launch and launch.floating_pool_id:
            followups.append((ATTACH_FLOATING_IP, (sid, launch.floating_pool_id)))
    if server.status == "ERROR" and not seen.has(sid, "error"):
        fault = (server.fault or {}).get("message") or "Nova gave no reason."
        timeline.record(sid, project, "error", fault, failed=True)
    _, floating = rows.addresses(server)
    if floating and not seen.has(sid, "floating_ip"):
        timeline.record(sid, project, "floating_ip", ", ".join(floating))


def _delete_steps(server, ports, followups: list) -> None:
    sid, project = server.id, server.project_id
    timeline.record(sid, project, "delete_requested", "outside the portal",
                    at=_at(server.updated_at))
    if not ports:
        timeline.record(sid, project, "ports_removed")
    if timeline.record(sid, project, "server_gone", at=_at(server.terminated_at)):
        followups.append((VERIFY_ADDRESSES_FREE, (sid,)))


def _follow_snapshots(conn) -> dict[str, str]:
    """Snapshots still uploading: one Glance call for all of them. Glance not answering
    leaves them for the next tick; it never fails the poll of Nova."""
    try:
        return snapshots.follow_images(conn)
    except UNREACHABLE as exc:
        log.warning("snapshot images not followed this tick: %s", exc)
        return {}


def _anything_transitional() -> bool:
    return ServerState.objects.filter(
        Q(status__in=rows.TRANSITIONAL) | ~Q(task_state="")).exists() or \
        ActionRun.objects.filter(finished_at=None,
                                 started_at__gte=timezone.now() - RUN_WATCHED).exists() or \
        snapshots.pending()


def _broadcast(html: str) -> None:
    """To every project with servers (the stale notice is the same for all)."""
    for project_id in ServerState.objects.values_list("project_id", flat=True).distinct():
        publish(project_id, html)
