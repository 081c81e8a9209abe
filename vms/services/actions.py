"""Server actions that are one call each (start, stop, reboot, pause, shelve, lock, rescue,
...): vms.offered's table says first whether the server can (its words when it cannot),
then one openstacksdk call with the actor's own connection; Nova's own refusal (the state
moved since) is put into words too. Then the action timeline opens its run, the poller
is told to look now, and the change is announced (audit `server.<verb>` + the live row).

    act(actor, server, "stop")                      one server
    act(actor, server, "lock", reason="...")        lock's reason (2.73); rescue's image
    act_on_many(actor, servers, "stop")             bulk: each server's result
"""

from collections.abc import Callable
from dataclasses import dataclass

from openstack import exceptions as os_exc

from portal.changes import afterwards, announce
from portal.errors import CloudRefused

from .. import action_steps, fragments, offered, pollstate, rows, timeline
from ..errors import explain
from ..names import image_names


@dataclass(frozen=True)
class Call:
    call: Callable      # (conn, server, **options)
    # The task_state Nova gives the server as it accepts the action: what the pages show
    # until the poller sees the action through ("" : none, the action is done at once).
    task_state: str
    done: str = ""      # for an action without a task_state: what the row shows after


CALLS = {
    "start": Call(lambda c, s: c.compute.start_server(s), "powering-on"),
    "stop": Call(lambda c, s: c.compute.stop_server(s), "powering-off"),
    "reboot": Call(lambda c, s: c.compute.reboot_server(s, "SOFT"), "rebooting"),
    "hard_reboot": Call(lambda c, s: c.compute.reboot_server(s, "HARD"), "rebooting_hard"),
    "pause": Call(lambda c, s: c.compute.pause_server(s), "pausing"),
    "unpause": Call(lambda c, s: c.compute.unpause_server(s), "unpausing"),
    "suspend": Call(lambda c, s: c.compute.suspend_server(s), "suspending"),
    "resume": Call(lambda c, s: c.compute.resume_server(s), "resuming"),
    "shelve": Call(lambda c, s: c.compute.shelve_server(s), "shelving"),
    "shelve_offload": Call(lambda c, s: c.compute.shelve_offload_server(s),
                           "shelving_offloading"),
    "unshelve": Call(lambda c, s: c.compute.unshelve_server(s), "unshelving"),
    "rescue": Call(lambda c, s, image=None: c.compute.rescue_server(s, image=image or None),
                   "rescuing"),
    "unrescue": Call(lambda c, s: c.compute.unrescue_server(s), "unrescuing"),
    "confirm_resize": Call(lambda c, s: c.compute.confirm_server_resize(s), ""),
    "revert_resize": Call(lambda c, s: c.compute.revert_server_resize(s), "resize_reverting"),
    "lock": Call(lambda c, s, reason="": c.compute.lock_server(s, locked_reason=reason or None),
                 "", done="locked"),
    "unlock": Call(lambda c, s: c.compute.unlock_server(s), "", done="unlocked"),
}
# The one-button verbs (vms:action and the admin list's buttons): lock and rescue ask for
# a field first, on a page of their own (vms.offered: FORM).
ACTIONS = {name: c for name, c in CALLS.items() if name in offered.BUTTONS}

# Nova's 409/403 words (nova/exception.py) → the person's.
ACTION_REFUSALS = [
    (r"while it is in vm_state (\w+)", "The server cannot do that while it is {0}."),
    (r"while it is in task_state (\w+)", "The server is busy ({0}); try again in a moment."),
    (r"unlock:unlock_override",
     "An administrator locked this server: only an administrator can unlock it."),
    (r"is locked", "The server is locked."),
    (r"while it is in launched_at", "The server has not finished building yet."),
    (r"Cannot rescue a volume-backed instance",
     "A server that boots from a volume cannot be rescued here."),
    (r"[Rr]escue image .* is not supported",  # nova.exception.UnsupportedRescueImage
     "That image cannot be used to rescue this server. Pick another one."),
    (r"Policy doesn't allow (\S+) to be performed",
     "Your role in this project may not do that ({0})."),
]


def said(action: str, name: str) -> str:
    label = offered.ACTIONS[action].label.rstrip("…")
    return f"{label} requested for {name}."


def row_as_accepted(actor, server, task_state: str, **changes) -> dict:
    """The server's row as Nova has it right after accepting a change (image names come
    from the cache the page that offered the button filled)."""
    names = image_names(actor.conn, {rows.image_id_of(server)})
    return {**rows.row(server, names), "task_state": task_state, **changes}


def check(actor, server, action: str) -> None:
    """The table's refusal, in its words, before anything is asked of Nova."""
    why = offered.refusal(server, actor.perms, action)
    if why:
        raise CloudRefused(why)


def act(actor, server, action: str, **options) -> str:
    """One action on one server; returns what to tell the person."""
    check(actor, server, action)
    todo = CALLS[action]
    try:
        todo.call(actor.conn, server, **options)
    except os_exc.HttpException as exc:
        raise explain(exc, ACTION_REFUSALS) from None
    what = f"{action} of {server.id}"
    detail = _detail(action, options)
    afterwards(what, action_steps.requested, server, action, actor, detail=detail,
               task_state=todo.task_state, result=todo.done)
    if todo.task_state:
        afterwards(what, pollstate.kick)

    def tell():
        changes = {}
        if action in ("lock", "unlock"):
            changes = {"locked": action == "lock",
                       "locked_reason": options.get("reason", "") if action == "lock" else ""}
        row = row_as_accepted(actor, server, todo.task_state, **changes)
        announce(actor, f"server.{action}", server.name, detail=server.id,
                 event=fragments.server(row, timeline.wants_floating_ip(server)))

    afterwards(what, tell)
    return said(action, server.name)


def _detail(action: str, options: dict) -> str:
    if action == "lock" and options.get("reason"):
        return f"reason: {options['reason']}"
    if action == "rescue":
        return f"image {options['image']}" if options.get("image") else "its own image"
    return ""


@dataclass
class Outcome:
    name: str
    ok: bool
    message: str


def act_on_many(actor, servers, action: str, one=None) -> list[Outcome]:
    """`action` on each server, one after the other: a refusal for one is its result and
    does not stop the others. `one(actor, server)` does it (default: act)."""
    one = one or (lambda a, s: act(a, s, action))
    out = []
    for server in servers:
        try:
            out.append(Outcome(server.name, True, one(actor, server)))
        except CloudRefused as refused:
            out.append(Outcome(server.name, False, refused.message))
    return out
