"""The instances list as a live list (portal/live.py): what a server row says about
itself, and what an open list page says it shows, in the same terms as Nova's own filters,
so that a row pushed live lands where reloading the page would show it.

    sort     Nova's default: created_at, newest first (the key is Nova's `created`)
    name     a regular expression searched in the name, case-insensitively (Nova on
             MariaDB/MySQL, what Kolla deploys, matches with REGEXP on a _ci collation)
    status   as Nova maps it (api/openstack/common.py task_and_vm_state_from_status): the
             vm_states of every status that is that word, and their task_states unless one
             of them is the plain state; so ACTIVE also lists a server that is REBOOTing
    ip       a substring of a fixed IP (Neutron's ip-substring-filtering); a whole address
             typed is kept only when the server holds exactly it (vms.selectors)
"""

from portal import live
from portal.addresses import exact_address, ip_filter

LIST = "servers"
DEFAULT = "default"
# Nova's _STATE_MAP (nova/api/openstack/common.py, 2026.2): vm_state → task_state → status.
_REBOOT = {"rebooting": "REBOOT", "reboot_pending": "REBOOT", "reboot_started": "REBOOT",
           "rebooting_hard": "HARD_REBOOT", "reboot_pending_hard": "HARD_REBOOT",
           "reboot_started_hard": "HARD_REBOOT"}
_REBUILD = {"rebuilding": "REBUILD", "rebuild_block_device_mapping": "REBUILD",
            "rebuild_spawning": "REBUILD"}
_RESIZE = {"resize_prep": "RESIZE", "resize_migrating": "RESIZE",
           "resize_migrated": "RESIZE", "resize_finish": "RESIZE"}
STATE_MAP = {
    "active": {DEFAULT: "ACTIVE", **_REBOOT, "updating_password": "PASSWORD", **_REBUILD,
               "migrating": "MIGRATING", **_RESIZE},
    "building": {DEFAULT: "BUILD"},
    "stopped": {DEFAULT: "SHUTOFF", **_RESIZE, **_REBUILD},
    "resized": {DEFAULT: "VERIFY_RESIZE", "resize_reverting": "REVERT_RESIZE"},
    "paused": {DEFAULT: "PAUSED", "migrating": "MIGRATING"},
    "suspended": {DEFAULT: "SUSPENDED"},
    "rescued": {DEFAULT: "RESCUE"},
    "error": {DEFAULT: "ERROR", **_REBUILD},
    "deleted": {DEFAULT: "DELETED"},
    "soft-delete": {DEFAULT: "SOFT_DELETED"},
    "shelved": {DEFAULT: "SHELVED"},
    "shelved_offloaded": {DEFAULT: "SHELVED_OFFLOADED"},
}


def states_of(status: str) -> tuple[list[str], list[str] | None]:
    """(vm_states, task_states or None for any) that Nova's `status=` filter lists."""
    vm_states, task_states = set(), set()
    for vm_state, tasks in STATE_MAP.items():
        for task_state, word in tasks.items():
            if word == status.upper():
                vm_states.add(vm_state)
                task_states.add(task_state)
    return sorted(vm_states), (None if DEFAULT in task_states else sorted(task_states))


def row_attrs(r: dict):
    """What a server row (vms.rows.row) tells the open lists about itself."""
    return live.row_attrs(LIST, r.get("created") or "", {
        "name": r.get("name") or "", "vm-state": r.get("vm_state") or "",
        "task-state": r.get("task_state") or DEFAULT,
        "fixed": r.get("fixed") or [], "address": (r.get("fixed") or []) + (
            r.get("floating") or [])})


def list_attrs(name: str = "", status: str = "", ip: str = "", marker: str | None = None,
               more: bool = False):
    """What an open instances page shows: its filter, and whether it is the first page
    (no marker) and the last one (no next page)."""
    filters = []
    if name:
        filters.append(("name", "search", name))
    if status:
        vm_states, task_states = states_of(status)
        filters.append(("vm-state", "in", vm_states))
        if task_states is not None:
            filters.append(("task-state", "in", task_states))
    if ip and (query := ip_filter(ip)):
        filters.append(("fixed", "substr", query[1]))
        if exact := exact_address(ip):
            filters.append(("address", "has", exact))
    return live.list_attrs(LIST, filters, order="desc", first=not marker, last=not more)


def removed(server_id: str) -> str:
    """The row of a server gone from Nova, off every list showing it."""
    return live.removed(f"server-{server_id}")
