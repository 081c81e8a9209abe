"""What the console pages show, and which connection each read uses.

The rule for a server's console: the person's own token when the server is in their current
project and they may change it (members, admins); otherwise helpdesk staff (and admins from
the helpdesk search) go through the service account, every session audited; anyone else gets
a 404 for a server that is not theirs, never the server.
"""

import itertools
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from openstack import exceptions as os_exc

from portal.addresses import exact_address, has_address
from portal.cloud import gather, service_connection
from portal.reads import collection

from .models import ConsoleSession

log = logging.getLogger(__name__)

USER_TOKEN, SERVICE_ACCOUNT = "user token", "service account"


@dataclass(frozen=True)
class ConsoleServer:
    id: str
    name: str
    project_id: str
    status: str
    via: str             # USER_TOKEN or SERVICE_ACCOUNT
    conn: object         # the openstacksdk connection to ask Nova with


def _get(conn, server_id: str):
    try:
        return conn.compute.get_server(server_id)
    except os_exc.NotFoundException:
        return None


def console_server(actor, server_id: str) -> ConsoleServer:
    """The server whose console `actor` may open, or Http404."""
    perms = actor.perms
    try:
        uuid.UUID(server_id)
    except ValueError:
        raise Http404("No such server.") from None
    if perms.can_change:
        conn = actor.conn
        server = _get(conn, server_id)
        # An admin's token sees every project's servers: the project is checked anyway.
        if server is not None and server.project_id == actor.project_id:
            return ConsoleServer(server.id, server.name, server.project_id, server.status,
                                 USER_TOKEN, conn)
    if perms.can_search_all_projects:
        conn = service_connection()
        server = _get(conn, server_id)
        if server is not None:
            return ConsoleServer(server.id, server.name, server.project_id, server.status,
                                 SERVICE_ACCOUNT, conn)
    raise Http404("No such server in this project.")


# --- helpdesk ------------------------------------------------------------------------

@dataclass(frozen=True)
class Address:
    addr: str
    network: str         # Nova's `addresses` are keyed by network name
    floating: bool


@dataclass(frozen=True)
class ServerFacts:
    id: str
    name: str
    status: str
    project_id: str
    project_name: str
    addresses: list[Address]
    flavor: str
    image: str
    host: str
    created: str


def _addresses(server) -> list[Address]:
    return [Address(entry.get("addr", ""), network,
                    entry.get("OS-EXT-IPS:type", "") == "floating")
            for network, entries in (server.addresses or {}).items() for entry in entries]


def _facts(server, projects: dict) -> ServerFacts:
    flavor = server.flavor or {}
    image = server.image or {}
    return ServerFacts(
        id=server.id, name=server.name or "", status=server.status or "",
        project_id=server.project_id or "",
        project_name=projects.get(server.project_id, ""),
        addresses=_addresses(server),
        flavor=flavor.get("original_name") or flavor.get("name") or flavor.get("id") or "",
        image=image.get("id", "") if isinstance(image, dict) else "",
        host=server.hypervisor_hostname or server.compute_host or "",
        created=server.created_at or "")


def _first(servers, limit: int) -> list:
    return list(itertools.islice(servers, limit))


_IPV4_PART = re.compile(r"[0-9.]*[0-9][0-9.]*")
_IPV6_PART = re.compile(r"[0-9a-f:]*:[0-9a-f:]*")


def _ip_part(query: str) -> tuple[str, str] | None:
    """(openstacksdk's filter, value) when `query` is an address or part of one: Nova's
    ip/ip6 filter is a substring of a fixed IP (Neutron's ip-substring-filtering)."""
    text = query.lower()
    if _IPV4_PART.fullmatch(text):
        return "ipv4_address", text
    if _IPV6_PART.fullmatch(text):
        return "ipv6_address", text
    return None


def _by_floating_ip(conn, address: str, limit: int) -> list:
    """The servers behind floating IP `address`: Neutron's floating IPs with that address
    (one call; an address is on one port per external network), their ports' devices."""
    fips = list(conn.network.ips(floating_ip_address=address))
    devices = {(f.port_details or {}).get("device_id") for f in fips if f.port_id}
    missing = [f.port_id for f in fips if f.port_id and not f.port_details]
    if missing:       # a Neutron without fip-port-details: the ports, in one call
        devices |= {p.device_id for p in conn.network.ports(id=missing)}
    devices.discard(None)
    devices.discard("")
    # One device per address in practice (an address is unique on its external network).
    return [s for s in (_get(conn, d) for d in sorted(devices)[:limit]) if s is not None]


def helpdesk_search(query: str, limit: int = 50) -> list[ServerFacts]:
    """Servers of every project whose ID is `query`, whose name contains it, with a fixed IP
    that contains it, or with it as floating IP (the service account, all_tenants). The
    searches run concurrently; one extra call names the projects."""
    query = query.strip()
    if not query:
        return []
    conn = service_connection()
    calls = {}
    try:
        uuid.UUID(query)
        calls["by_id"] = lambda: [s for s in [_get(conn, query)] if s is not None]
    except ValueError:
        pass
    # Nova's name filter is a regular expression: the person typed plain text.
    pattern = re.escape(query)
    calls["by_name"] = lambda: _first(conn.compute.servers(
        all_projects=True, name=pattern, limit=limit), limit)
    exact = exact_address(query) if _ip_part(query) else None
    if ip := _ip_part(query):
        field, value = ip
        calls["by_ip"] = lambda: [s for s in _first(conn.compute.servers(
            all_projects=True, limit=limit, **{field: exact or value}), limit)
            if not exact or has_address(s.addresses, exact)]
    if exact:
        calls["by_floating_ip"] = lambda: _by_floating_ip(conn, exact, limit)
    calls["projects"] = lambda: {p.id: p.name for p in conn.identity.projects()}
    found = gather(**calls)
    projects = found.pop("projects")
    seen, out = set(), []
    for servers in found.values():
        for server in servers:
            if server.id not in seen:
                seen.add(server.id)
                out.append(_facts(server, projects))
    return out[:limit]


# --- audit ---------------------------------------------------------------------------

def project_names(actor, own_projects=()) -> dict[str, str]:
    """Project id → name for the audit page, in one call at most: admin and helpdesk see
    every project's sessions, so Keystone's project list (the service account); anyone
    else sees their current project's, named by their own projects list (the session's,
    no call). A Keystone that refuses leaves the ids shown, never a broken page."""
    if not actor.perms.can_search_all_projects:
        return {p["id"]: p["name"] for p in own_projects}
    try:
        rows = collection(service_connection().identity, "/projects", "projects")
    except os_exc.HttpException:
        log.warning("audit page: Keystone's project list refused", exc_info=True)
        return {p["id"]: p["name"] for p in own_projects}
    return {p["id"]: p["name"] for p in rows}


AUDIT_LIMIT = 200     # the newest sessions the audit page shows


def audit_page(actor, filters: dict, own_projects=(), limit: int = AUDIT_LIMIT) -> list:
    """The sessions `actor` may see (audit_sessions), each with its project's name."""
    sessions = list(audit_sessions(actor, filters, limit))
    names = project_names(actor, own_projects) if sessions else {}
    for s in sessions:
        s.project_name = names.get(s.project_id, "")
    return sessions


def audit_sessions(actor, filters: dict, limit: int = AUDIT_LIMIT):
    """Console sessions `actor` may see: all for admin and helpdesk, their current
    project's otherwise; narrowed by the filter form's cleaned data."""
    qs = ConsoleSession.objects.all()
    if not actor.perms.can_search_all_projects:
        qs = qs.filter(project_id=actor.project_id)
    elif filters.get("project"):
        qs = qs.filter(project_id=filters["project"])
    if filters.get("user"):
        qs = qs.filter(Q(user_name__icontains=filters["user"]) | Q(user_id=filters["user"]))
    if filters.get("server"):
        qs = qs.filter(Q(server_id=filters["server"]) |
                       Q(server_name__icontains=filters["server"]))
    if filters.get("console_type"):
        qs = qs.filter(console_type=filters["console_type"])
    state = filters.get("state")
    if state == "open":
        qs = qs.filter(ended_at__isnull=True)
    elif state == "refused":
        qs = qs.filter(close_reason__startswith="refused")
    elif state == "closed":
        qs = qs.filter(ended_at__isnull=False).exclude(close_reason__startswith="refused")
    tz = timezone.get_current_timezone()
    if filters.get("since"):
        qs = qs.filter(started_at__gte=datetime.combine(filters["since"], time.min, tz))
    if filters.get("until"):
        qs = qs.filter(started_at__lte=datetime.combine(filters["until"], time.max, tz))
    return qs[:limit]
