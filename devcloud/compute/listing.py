"""GET /servers and /servers/detail: who sees what, Nova's filters, sort and paging.

Servers are kept oldest-first in `Compute.order` (and per project); Nova's default sort is
newest first, so a page walks that list backwards and stops once it has `limit` servers:
the work per request is the page, not the cloud (10,000 servers, a 1,000 page).
"""

import re
from urllib.parse import urlencode

from ..errors import CloudError
from .api import base, invalid_query, mv, parse_time, policy_error
from .views import STATE_MAP, TASK_STATUS, VM_STATUS

MAX_LIMIT = 1000  # Nova's [api] max_limit
TRUE = {"1", "t", "true", "on", "y", "yes"}
FALSE = {"0", "f", "false", "off", "n", "no"}
STATUSES = set(VM_STATUS.values()) | set(TASK_STATUS.values()) | {
    "MIGRATING", "PASSWORD", "REBUILD", "RESIZE", "REVERT_RESIZE", "UNKNOWN",
    "VERIFY_RESIZE"}


def _bool_param(raw: str) -> bool:
    """Nova's strutils.bool_from_string(strict=True) on a query value."""
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise CloudError(400, f"Unrecognized value '{raw}', acceptable values are: '0', '1', "
                          "'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'")


def all_tenants(query) -> bool:
    if "all_tenants" not in query:
        return False
    if query["all_tenants"].strip() == "":
        return True
    return _bool_param(query["all_tenants"])


def _limit(query) -> int:
    if "limit" not in query:
        return MAX_LIMIT
    raw = query["limit"]
    if not raw.isdigit():
        raise invalid_query("limit", raw, f"'{raw}' does not match '^[0-9]*$'")
    return min(int(raw), MAX_LIMIT)


def _time_filter(query, name: str):
    if name not in query:
        return None
    parsed = parse_time(query[name])
    if parsed is None:
        raise invalid_query(name, query[name], f"'{query[name]}' is not a 'date-time'")
    return parsed.timestamp()


def _regex(query, name):
    """Nova matches name with the database's REGEXP; on MariaDB/MySQL (what Kolla
    deploys) that is case-insensitive: `name=WEB` lists "web-1" (seen on Nova 34)."""
    if name not in query:
        return None
    try:
        return re.compile(query[name], re.IGNORECASE)
    except re.error:
        return re.compile(re.escape(query[name]), re.IGNORECASE)


def _states_of(statuses: set[str]) -> tuple[set[str], set[str] | None]:
    """Nova's task_and_vm_state_from_status: the vm_states of every status asked for, and
    their task_states, unless one of those is a vm_state's plain status (then any task
    state): status=ACTIVE lists a server that is REBOOTing, as Nova does."""
    vm_states, task_states = set(), set()
    for vm_state, plain in VM_STATUS.items():
        for task_state, word in {None: plain, **STATE_MAP.get(vm_state, {})}.items():
            if word in statuses:
                vm_states.add(vm_state)
                task_states.add(task_state)
    return vm_states, (None if None in task_states else task_states)


class ServerQuery:
    """The parsed query of one list request."""

    def __init__(self, request, detail: bool):
        q = request.query
        ctx = request["ctx"]
        self.request = request
        self.detail = detail
        self.all_tenants = all_tenants(q)
        if self.all_tenants and not ctx.is_admin:
            raise policy_error("os_compute_api:servers:{}:get_all_tenants".format(
                "detail" if detail else "index"))
        if self.all_tenants:
            self.project = q.get("project_id") or q.get("tenant_id")
        else:
            # Without all_tenants Nova pins everyone, admin included, to the token's project
            # and ignores project_id / tenant_id.
            self.project = ctx.project_id
        self.limit = _limit(q)
        self.marker = q.get("marker")
        self.since = _time_filter(q, "changes-since")
        self.before = _time_filter(q, "changes-before") if mv(request, "2.66") else None
        if self.since is not None and self.before is not None and self.since > self.before:
            raise CloudError(400, "The value of changes-since must be less than or equal to "
                                  "changes-before.")
        self.status = None
        if "status" in q:
            self.status = {s.strip().upper() for s in q.getall("status")}
            if not self.status <= STATUSES:
                raise CloudError(400, "Invalid status value")
        if self.status is not None:
            self.vm_states, self.task_states = _states_of(self.status)
        self.name = _regex(q, "name")
        # With Neutron's ip-substring-filtering, Nova hands ip/ip6 to Neutron as
        # fixed_ips=ip_address_substr=<value>: a literal substring of a fixed IP, not a regex.
        self.ip = q.get("ip")
        self.ip6 = q.get("ip6")
        self.exact = {field: q[param] for param, field in (
            ("flavor", "flavor_id"), ("image", "image_id"), ("reservation_id", "reservation_id"),
            ("key_name", "key_name"), ("user_id", "user_id"), ("host", "host"),
        ) if param in q and (ctx.is_admin or param not in ("host",))}
        self.locked = None
        if "locked" in q and mv(request, "2.73"):
            self.locked = _bool_param(q["locked"])
        # Deleted servers only appear to changes-since/changes-before (or admin deleted=true).
        self.with_deleted = (self.since is not None or self.before is not None
                             or (ctx.is_admin and q.get("deleted", "").lower() in TRUE))

    def _status_matches(self, s: dict) -> bool:
        if s.get("deleted"):
            return "DELETED" in self.status
        return s["vm_state"] in self.vm_states and (
            self.task_states is None or s["task_state"] in self.task_states)

    def matches(self, s: dict) -> bool:
        if s.get("deleted") and not self.with_deleted:
            return False
        if self.since is not None and s["updated_ts"] < self.since:
            return False
        if self.before is not None and s["updated_ts"] > self.before:
            return False
        if self.status is not None and not self._status_matches(s):
            return False
        if self.name is not None and not self.name.search(s["name"]):
            return False
        if self.locked is not None and bool(s.get("locked")) != self.locked:
            return False
        for field, value in self.exact.items():
            actual = s["flavor"]["id"] if field == "flavor_id" else s.get(field)
            if str(actual) != value:
                return False
        return True


def candidates(compute, query: ServerQuery):
    """Server ids, newest first, of the projects the query covers."""
    if query.project is None:
        return reversed(compute.order)
    return reversed(compute.by_project.get(query.project, []))


def _ip_match(query: ServerQuery, addresses: dict) -> bool:
    for entries in addresses.values():
        for entry in entries:
            if entry.get("OS-EXT-IPS:type", "fixed") != "fixed":
                continue  # Neutron matches the ports' fixed IPs only
            wanted = query.ip6 if entry.get("version") == 6 else query.ip
            if wanted is not None and wanted in entry.get("addr", ""):
                return True
    return False


def select(compute, query: ServerQuery) -> list[dict]:
    """One page of servers, walking newest first and stopping at `limit`."""
    servers = compute.store["servers"]
    ids = candidates(compute, query)
    if query.marker is not None:
        marker = servers.get(query.marker)
        if marker is None or (query.project and marker["project_id"] != query.project):
            raise CloudError(400, f"marker [{query.marker}] not found")
        ids = _after(ids, query.marker)
    page = []
    need_ip = query.ip is not None or query.ip6 is not None
    for sid in ids:
        s = servers[sid]
        if not query.matches(s):
            continue
        if need_ip:
            addresses = compute.network.server_addresses([sid]).get(sid, {})
            if not _ip_match(query, addresses):
                continue
        page.append(s)
        if len(page) >= query.limit:
            break
    return page


def _after(ids, marker: str):
    it = iter(ids)
    for sid in it:
        if sid == marker:
            break
    return it


def next_link(request, page: list[dict], query: ServerQuery) -> list[dict] | None:
    """Nova adds servers_links when the page is full (limit given or the max_limit)."""
    if not page or len(page) != query.limit:
        return None
    params = [(k, v) for k, v in request.query.items() if k != "marker"]
    params.append(("marker", page[-1]["id"]))
    path = "servers/detail" if query.detail else "servers"
    return [{"rel": "next", "href": f"{base(request)}/v2.1/{path}?{urlencode(params)}"}]
