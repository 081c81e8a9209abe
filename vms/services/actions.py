"""Server actions that are one button each (start, stop, reboot, ...): one openstacksdk
call with the actor's connection, then the poller is told and the change announced."""

from collections.abc import Callable
from dataclasses import dataclass

from openstack import exceptions as os_exc

from portal.changes import afterwards, announce

from .. import fragments, pollstate, rows
from ..errors import explain
from ..names import image_names


@dataclass(frozen=True)
class Action:
    label: str
    call: Callable
    # The task_state Nova gives the server as it accepts the action: what the pages show
    # until the poller sees the action through.
    task_state: str


ACTIONS = {
    "start": Action("Start", lambda c, s: c.compute.start_server(s), "powering-on"),
    "stop": Action("Stop", lambda c, s: c.compute.stop_server(s), "powering-off"),
    "reboot": Action("Reboot", lambda c, s: c.compute.reboot_server(s, "SOFT"),
                     "rebooting"),
    "hard_reboot": Action("Hard reboot", lambda c, s: c.compute.reboot_server(s, "HARD"),
                          "rebooting_hard"),
}

ACTION_REFUSALS = [
    (r"while it is in vm_state (\w+)", "The server cannot do that while it is {0}."),
    (r"while it is in task_state (\w+)", "The server is busy ({0}); try again in a moment."),
    (r"is locked", "The server is locked."),
]


def row_as_accepted(actor, server, task_state: str) -> dict:
    """The server's row as Nova has it right after accepting a change (image names come
    from the cache the page that offered the button filled)."""
    names = image_names(actor.conn, {rows.image_id_of(server)})
    return {**rows.row(server, names), "task_state": task_state}


def act(actor, server, action: str) -> str:
    """start / stop / reboot / hard_reboot; returns what to tell the person."""
    todo = ACTIONS[action]
    try:
        todo.call(actor.conn, server)
    except os_exc.HttpException as exc:
        raise explain(exc, ACTION_REFUSALS) from None
    what = f"{action} of {server.id}"
    afterwards(what, pollstate.kick)

    def tell():
        row = row_as_accepted(actor, server, todo.task_state)
        announce(actor, f"server.{action}", server.name, detail=server.id,
                 event=fragments.row(row) + fragments.status(row))

    afterwards(what, tell)
    return f"{todo.label} requested for {server.name}."
