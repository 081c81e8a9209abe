"""Which server actions are offered: one table, read from Nova's own rules (nova/compute/
api.py, 2026.2: the `check_instance_state` and `check_instance_lock` decorators on each
compute API method, and the policy defaults in nova/policies/). Every page that offers an
action asks here: the detail page's buttons, the instances list's row menu, the bulk
actions, and the forms other modules add (resize, rebuild, snapshot, ...).

    offered(server, perms) -> [Action, ...]     what to show, in display order
    refusal(server, perms, name) -> str | None  why `name` is not offered (None: it is)
    ACTIONS[name]                               one Action by its verb

An Action is what a page needs to show it: `name` (the verb: URL part and the audit
action `server.<name>`), `label`, `kind` (BUTTON: one POST; CONFIRM: one POST asked first
in the page with partials/confirm.html, `what` saying what is lost; FORM: a page of its
own, linked with GET), and `url(server_id)`. A FORM action whose view is not in vms/urls.py
yet (its URL name does not resolve) is simply not offered, so a module adds its form and
its URL and the table offers it from then on.

Nova's rules, as the decorators have them:
  - check_instance_state(vm_state=[...]) : the server's vm_state must be one of these;
  - task_state defaults to (None,): nothing may be in progress, unless the method lists
    the task states it allows (hard reboot: task_states.ALLOW_REBOOT; delete: any);
  - must_have_launched (default True): the server must have booted once (launched_at);
  - check_instance_lock: a locked server refuses anyone but an admin (context.is_admin);
    lock and unlock themselves, snapshot, rename, security groups and floating IPs are
    not lock-checked;
  - unlock by a non-admin is refused (403, unlock:unlock_override) when an admin locked
    it: the API does not say who locked a server (locked_by is not shown), so unlock is
    offered to the project and that refusal is put into words (services/actions.py).
"""

from dataclasses import dataclass, field
from functools import lru_cache

from django.urls import NoReverseMatch, reverse

BUTTON, CONFIRM, FORM = "button", "confirm", "form"
ANY = None  # any vm_state / any task_state

# nova/compute/task_states.py ALLOW_REBOOT: the task states a hard reboot may interrupt.
ALLOW_REBOOT = frozenset({None, "rebooting", "reboot_pending", "reboot_started", "resuming",
                          "rebooting_hard", "unpausing", "pausing", "suspending"})


@dataclass(frozen=True)
class Rule:
    """One compute API method's checks."""

    vm_states: frozenset | None          # ANY: no vm_state check
    task_states: frozenset | None = frozenset({None})  # ANY: no task_state check
    lock: bool = True                    # check_instance_lock
    launched: bool = True                # must_have_launched
    admin: bool = False                  # the policy default is admin only
    locked: bool | None = None           # offered only when the lock is (not) set


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    kind: str = BUTTON
    url_name: str = "vms:action"
    what: str = ""      # CONFIRM: what is lost or interrupted; "{name}" is the server's name
    danger: bool = False
    rule: Rule = field(default=None, repr=False, compare=False)

    @property
    def needs_form(self) -> bool:
        return self.kind == FORM

    @property
    def needs_confirmation(self) -> bool:
        return self.kind == CONFIRM

    def url(self, server_id: str) -> str:
        return _url_pattern(self.url_name, self.name).replace(SERVER_ID, server_id)

    def says(self, name: str) -> str:
        """The confirmation's sentence for the server called `name`."""
        return self.what.format(name=name or "this server")


def _states(*names) -> frozenset:
    return frozenset(names)


# In display order. vm_states as Nova names them (OS-EXT-STS:vm_state).
TABLE = [
    # compute/api.py start: STOPPED
    Action("start", "Start", rule=Rule(_states("stopped"))),
    # stop: ACTIVE, ERROR
    Action("stop", "Stop", CONFIRM, danger=True,
           what="{name} is shut down: its programs stop and anything not saved to disk is "
                "lost. It keeps its disk and addresses and can be started again.",
           rule=Rule(_states("active", "error"))),
    # _soft_reboot: ALLOW_SOFT_REBOOT = [ACTIVE], no task
    Action("reboot", "Reboot", rule=Rule(_states("active"))),
    # _hard_reboot: ALLOW_HARD_REBOOT = ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR;
    # task_state in ALLOW_REBOOT
    Action("hard_reboot", "Hard reboot", CONFIRM, danger=True,
           what="{name} is reset like a power cycle, without shutting down first: "
                "anything not saved to disk is lost.",
           rule=Rule(_states("active", "stopped", "paused", "suspended", "error"),
                     ALLOW_REBOOT)),
    # pause: ACTIVE; unpause: PAUSED
    Action("pause", "Pause", rule=Rule(_states("active"))),
    Action("unpause", "Unpause", rule=Rule(_states("paused"))),
    # suspend: ACTIVE; resume: SUSPENDED
    Action("suspend", "Suspend", rule=Rule(_states("active"))),
    Action("resume", "Resume", rule=Rule(_states("suspended"))),
    # shelve: ACTIVE, STOPPED, PAUSED, SUSPENDED
    Action("shelve", "Shelve", CONFIRM, danger=True,
           what="{name} is shut down and saved as an image, then removed from its host: "
                "anything not saved to disk is lost, and unshelving boots it again "
                "(it may land on another host).",
           rule=Rule(_states("active", "stopped", "paused", "suspended"))),
    # shelve_offload: SHELVED; policy shelve_offload is admin only
    Action("shelve_offload", "Shelve offload", rule=Rule(_states("shelved"), admin=True)),
    # unshelve: SHELVED, SHELVED_OFFLOADED
    Action("unshelve", "Unshelve", rule=Rule(_states("shelved", "shelved_offloaded"))),
    # rescue: ACTIVE, STOPPED, ERROR (an image to boot from: a form)
    Action("rescue", "Rescue…", FORM, "vms:rescue", danger=True,
           what="{name} is shut down and booted from a rescue image, with its own disk "
                "attached as a second disk: anything not saved to disk is lost.",
           rule=Rule(_states("active", "stopped", "error"))),
    # unrescue: RESCUED
    Action("unrescue", "Unrescue", rule=Rule(_states("rescued"))),
    # confirm_resize / revert_resize: RESIZED (the portal shows VERIFY_RESIZE)
    Action("confirm_resize", "Confirm resize", rule=Rule(_states("resized"))),
    Action("revert_resize", "Revert resize", CONFIRM,
           what="{name} goes back to its old flavor: it is shut down and started again "
                "on the old size.",
           rule=Rule(_states("resized"))),
    # The form actions (their views live in modules of their own).
    # resize: ACTIVE, STOPPED
    Action("resize", "Resize…", FORM, "vms:resize", rule=Rule(_states("active", "stopped"))),
    # rebuild: ACTIVE, STOPPED, ERROR
    Action("rebuild", "Rebuild…", FORM, "vms:rebuild", danger=True,
           rule=Rule(_states("active", "stopped", "error"))),
    # snapshot: ACTIVE, STOPPED, PAUSED, SUSPENDED; not lock-checked
    Action("snapshot", "Create snapshot…", FORM, "vms:snapshot",
           rule=Rule(_states("active", "stopped", "paused", "suspended"), lock=False)),
    # rename (servers update): no state or lock check
    Action("rename", "Rename…", FORM, "vms:rename",
           rule=Rule(ANY, ANY, lock=False, launched=False)),
    # security groups: Neutron's business, no Nova state or lock check
    Action("security_groups", "Security groups…", FORM, "vms:security_groups",
           rule=Rule(ANY, ANY, lock=False, launched=False)),
    # attach/detach interface: ACTIVE, PAUSED, STOPPED, task None, lock-checked
    Action("interfaces", "Interfaces…", FORM, "vms:interfaces",
           rule=Rule(_states("active", "paused", "stopped"))),
    # floating IPs: Neutron's (the port's), no Nova check
    Action("floating_ips", "Floating IPs…", FORM, "vms:floating_ips",
           rule=Rule(ANY, ANY, lock=False, launched=False)),
    # lock: no state check, not lock-checked; a locked server again is a no-op for its
    # owner, so offered only when unlocked. A reason (2.73) is asked for: a form.
    Action("lock", "Lock…", FORM, "vms:lock",
           rule=Rule(ANY, ANY, lock=False, launched=False, locked=False)),
    Action("unlock", "Unlock",
           rule=Rule(ANY, ANY, lock=False, launched=False, locked=True)),
    # delete: any vm_state, any task_state, lock-checked, need not have launched
    Action("delete", "Delete", CONFIRM, "vms:delete", danger=True,
           what="{name} is deleted with its disk: everything on it is lost. Its fixed "
                "addresses go back to the network.",
           rule=Rule(ANY, ANY, launched=False)),
]
ACTIONS = {a.name: a for a in TABLE}
# The one-button actions vms:action serves (services/actions.py does each).
BUTTONS = [a.name for a in TABLE if a.url_name == "vms:action"]

# What Nova's status says about vm_state, for a row kept before rows carried vm_state.
_VM_STATE_OF_STATUS = {
    "ACTIVE": "active", "BUILD": "building", "SHUTOFF": "stopped", "PAUSED": "paused",
    "SUSPENDED": "suspended", "RESCUE": "rescued", "SHELVED": "shelved",
    "SHELVED_OFFLOADED": "shelved_offloaded", "VERIFY_RESIZE": "resized",
    "ERROR": "error", "SOFT_DELETED": "soft-delete", "DELETED": "deleted",
}


@dataclass(frozen=True)
class State:
    vm_state: str
    task_state: str | None
    locked: bool
    launched: bool


def state_of(server) -> State:
    """The state the rules read, from a list row (vms.rows.row) or a server object
    (openstacksdk's Server or vms.servers.Server: both name the fields the same; an
    openstacksdk Resource is a dict too, keyed differently, hence `type(...) is dict`)."""
    if type(server) is dict:
        vm = server.get("vm_state") or _VM_STATE_OF_STATUS.get(server.get("status"), "")
        return State(vm, server.get("task_state") or None, bool(server.get("locked")),
                     bool(server.get("launched", vm not in ("building", ""))))
    vm = getattr(server, "vm_state", None) or _VM_STATE_OF_STATUS.get(server.status, "")
    return State(vm, server.task_state or None, bool(getattr(server, "is_locked", False)),
                 bool(getattr(server, "launched_at", None)))


# What a URL or a row menu has where the server's id or name goes, so each is made once
# (reverse() and a template render cost far more than a string replace, on every row of
# a list page). Both match what they stand for: an id the URL converter takes.
SERVER_ID = "0SERVERxIDx0"
SERVER_NAME = "0SERVERxNAMEx0"


@lru_cache(maxsize=256)
def _url_pattern(url_name: str, name: str) -> str:
    if url_name == "vms:action":
        return reverse(url_name, args=[SERVER_ID, name])
    return reverse(url_name, args=[SERVER_ID])


@lru_cache(maxsize=64)
def _routed(url_name: str) -> bool:
    try:
        reverse(url_name, args=["0" * 32] if url_name != "vms:action" else ["0" * 32, "x"])
    except NoReverseMatch:
        return False
    return True


def _why_not(action: Action, st: State, is_admin: bool) -> str | None:
    rule = action.rule
    if rule.admin and not is_admin:
        return "Only an administrator can do that."
    if rule.locked is True and not st.locked:
        return "The server is not locked."
    if rule.locked is False and st.locked:
        return "The server is locked already."
    if rule.lock and st.locked and not is_admin:
        return "The server is locked."
    if rule.vm_states is not None and st.vm_state not in rule.vm_states:
        return f"The server cannot do that while it is {st.vm_state or 'in this state'}."
    if rule.task_states is not None and st.task_state not in rule.task_states:
        return f"The server is busy ({st.task_state}); try again in a moment."
    if rule.launched and not st.launched:
        return "The server has not finished building yet."
    return None


def refusal(server, perms, name: str) -> str | None:
    """Why the action `name` is not offered on `server` to someone with `perms`, in the
    words the page shows; None when it is offered."""
    if not perms.can_change:
        return "Your role in this project cannot change servers."
    return _why_not(ACTIONS[name], state_of(server), perms.is_admin)


def offered(server, perms) -> list[Action]:
    """The actions to show for `server` to someone with `perms`, in display order."""
    if not perms.can_change:
        return []
    return list(_offered_in(state_of(server), perms.is_admin))


@lru_cache(maxsize=512)
def _offered_in(st: State, is_admin: bool) -> tuple[Action, ...]:
    """The rules read only the state and the role: a list page's rows share a handful
    of states, so the table is walked once per (state, role), not once per row."""
    return tuple(a for a in TABLE
                 if _routed(a.url_name) and _why_not(a, st, is_admin) is None)


def buttons(server, perms) -> list[dict]:
    """offered(), as templates show it: name, label, kind, url, what (the confirmation's
    sentence), danger."""
    row = type(server) is dict
    sid = server["id"] if row else server.id
    name = server.get("name", "") if row else server.name
    return [{"name": a.name, "label": a.label, "kind": a.kind, "url": a.url(sid),
             "what": a.says(name), "danger": a.danger} for a in offered(server, perms)]
