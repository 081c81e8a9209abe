"""What every day-2 form's service does once Nova has accepted its one call: the action's
run opened on the server's timeline (vms.action_steps, followed by the poller as Nova's
task_state moves), the poller told to look now, then the audit record and the live
row/status/timeline in one announce."""

from portal.changes import afterwards, announce

from .. import action_steps, fragments, pollstate, timeline
from .actions import check, row_as_accepted

__all__ = ["accepted", "check"]


def accepted(actor, server, verb: str, detail: str, task_state: str = "", *,
             target: str = "", extra: str = "", run: bool = True) -> None:
    """`server.<verb>` was accepted by Nova for `server`; the audit row names `target`
    (default: the server's name); `extra` is more HTML for every audience (a snapshot's
    image). `run`: the action has a run on the timeline (one with task_states)."""
    what = f"{verb} of {server.id}"
    if run:
        afterwards(what, action_steps.requested, server, verb, actor, detail=detail,
                   task_state=task_state)
    afterwards(what, pollstate.kick)

    def tell():
        row = row_as_accepted(actor, server, task_state or server.task_state or "")
        event = {audience: html + extra for audience, html in
                 fragments.server(row, timeline.wants_floating_ip(server)).items()}
        announce(actor, f"server.{verb}", target or server.name,
                 detail=f"{server.id}: {detail}" if detail else server.id, event=event)

    afterwards(what, tell)
