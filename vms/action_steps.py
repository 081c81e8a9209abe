"""The action timeline: each action on a server, step by step as Nova's task_state moves
(shelve: requested → shelving → shelving_image_pending_upload → shelving_image_uploading →
shelving_offloading → SHELVED_OFFLOADED), as the poller sees it in its one call per tick.

    requested(...)   the portal asked (the service, once Nova accepted): a run opens
    observe(...)     the poller, for each changed server: a task_state it has not seen
                     yet is a step; no task_state any more ends the run in the status
                     the server settled in (failed when that is not what the action
                     leads to). A task_state with no open run is an action someone did
                     outside the portal (the CLI, Horizon): a run opens for it.
    view(...)        the runs as the detail page shows them, newest first

The poller may not see every task_state (a tick a second; a reboot passes three in a
second or two): the steps it did not see are shown as passed, without a time.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import offered
from .models import ActionRun

SHOWN = 5  # runs on the detail page
# An action whose server shows no sign of it this long after the request (no task_state
# seen, the status as before) is over: Nova refused it after accepting (a failed stop).
GIVE_UP = timedelta(minutes=2)


@dataclass(frozen=True)
class Flow:
    steps: tuple[str, ...]   # Nova's task_states, in the order Nova moves through them
    ends: tuple[str, ...]    # the statuses the action leads to (the first one is shown)


# nova/compute/api.py sets the first task_state, nova/compute/manager.py the rest.
FLOWS = {
    "start": Flow(("powering-on",), ("ACTIVE",)),
    "stop": Flow(("powering-off",), ("SHUTOFF",)),
    "reboot": Flow(("rebooting", "reboot_pending", "reboot_started"), ("ACTIVE",)),
    "hard_reboot": Flow(("rebooting_hard", "reboot_pending_hard", "reboot_started_hard"),
                        ("ACTIVE",)),
    "pause": Flow(("pausing",), ("PAUSED",)),
    "unpause": Flow(("unpausing",), ("ACTIVE",)),
    "suspend": Flow(("suspending",), ("SUSPENDED",)),
    "resume": Flow(("resuming",), ("ACTIVE",)),
    # shelved_offload_time = 0 (Nova's default) offloads at once; > 0 stops at SHELVED
    "shelve": Flow(("shelving", "shelving_image_pending_upload", "shelving_image_uploading",
                    "shelving_offloading"), ("SHELVED_OFFLOADED", "SHELVED")),
    "shelve_offload": Flow(("shelving_offloading",), ("SHELVED_OFFLOADED",)),
    "unshelve": Flow(("unshelving", "spawning"), ("ACTIVE",)),
    "rescue": Flow(("rescuing",), ("RESCUE",)),
    "unrescue": Flow(("unrescuing",), ("ACTIVE",)),
    "resize": Flow(("resize_prep", "resize_migrating", "resize_migrated", "resize_finish"),
                   ("VERIFY_RESIZE",)),
    "confirm_resize": Flow((), ("ACTIVE", "SHUTOFF")),
    "revert_resize": Flow(("resize_reverting",), ("ACTIVE", "SHUTOFF")),
    "rebuild": Flow(("rebuilding", "rebuild_block_device_mapping", "rebuild_spawning"),
                    ("ACTIVE", "SHUTOFF")),
    "snapshot": Flow(("image_snapshot", "image_snapshot_pending", "image_pending_upload",
                      "image_uploading"), ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED")),
    # No task_state: done when Nova answers (recorded finished at once).
    "lock": Flow((), ("locked",)),
    "unlock": Flow((), ("unlocked",)),
}
# The task_state an action begins with: how the poller names one done outside the portal.
STARTED_BY = {flow.steps[0]: name for name, flow in FLOWS.items() if flow.steps}
LABELS = {"requested": "Requested"}


def _step(step: str, detail: str = "", at=None, asked: bool = False) -> dict:
    step = {"step": step, "at": (at or timezone.now()).isoformat(), "detail": detail}
    if asked:  # recorded as Nova accepted the request, not seen by the poller
        step["asked"] = True
    return step


def requested(server, action: str, actor, detail: str = "", task_state: str = "",
              result: str = "") -> ActionRun:
    """Nova accepted `action`: open its run (or, for an action without task_states,
    record it done with `result`). The task_state Nova answered with is its first step."""
    now = timezone.now()
    steps = [_step("requested", detail, now, asked=True)]
    if task_state:
        steps.append(_step(task_state, at=now, asked=True))
    if result:
        steps.append(_step(result, at=now, asked=True))
    return ActionRun.objects.create(
        server_id=server.id, project_id=server.project_id or actor.project_id,
        action=action, by=actor.user_name, request_id=actor.request_id,
        from_status=server.status or "", started_at=now, steps=steps,
        finished_at=now if result else None, result=result)


def open_runs(server_ids) -> dict[str, ActionRun]:
    """The newest unfinished run of each server (one query)."""
    runs: dict[str, ActionRun] = {}
    for run in ActionRun.objects.filter(server_id__in=list(server_ids), finished_at=None):
        runs.setdefault(run.server_id, run)  # newest first (Meta.ordering)
    return runs


def observe(server, run: ActionRun | None, polled_at) -> ActionRun | None:
    """One poll's look at `server` (its list call began at `polled_at`, a datetime).
    Returns the run it opened or changed, if any."""
    task = server.task_state or ""
    if run is None:
        action = STARTED_BY.get(task)
        if not action or server.status == "DELETED":
            return None
        return ActionRun.objects.create(
            server_id=server.id, project_id=server.project_id, action=action,
            from_status="", started_at=timezone.now(),
            steps=[_step("requested", "outside the portal"), _step(task)])
    seen = {s["step"] for s in run.steps}
    if task:
        if task in seen:
            return None
        run.steps.append(_step(task))
        run.save(update_fields=["steps"])
        return run
    # No task: the action is over, unless this poll's answer predates the request (its
    # list call began before Nova accepted the action, and showed the old state), or
    # nothing shows it began: an action Nova runs without a task_state (confirm resize)
    # leaves the status as it was until it is done.
    if polled_at < run.started_at:
        return None
    flow = FLOWS.get(run.action)
    begun = (server.status != run.from_status
             or (flow is not None and server.status in flow.ends)
             or any(not s.get("asked") for s in run.steps)
             or timezone.now() - run.started_at > GIVE_UP)
    if not begun:
        return None
    run.result = server.status or ""
    run.failed = flow is not None and run.result not in flow.ends
    run.finished_at = timezone.now()
    detail = ((server.fault or {}).get("message", "") if server.fault else "") \
        if run.failed else ""
    run.steps.append(_step(run.result, detail))
    run.save(update_fields=["result", "failed", "finished_at", "steps"])
    return run


def _when(iso: str):
    return parse_datetime(iso) if iso else None


def _shown(run: ActionRun) -> dict:
    """One run as the timeline lists it: requested, each of the flow's task_states (seen
    with its time, passed without one, or still to come), and how it ended."""
    seen = {s["step"]: s for s in run.steps}
    flow = FLOWS.get(run.action, Flow((), ()))
    names = ["requested", *flow.steps]
    names += [s["step"] for s in run.steps if s["step"] not in names
              and s["step"] != run.result]  # a task_state the flow does not list
    done = bool(run.finished_at)
    steps = []
    for name in names:
        event = seen.get(name)
        state = "done" if event else ("passed" if done else "pending")
        steps.append({"step": name, "label": LABELS.get(name, name), "state": state,
                      "at": _when(event["at"]) if event else None,
                      "detail": event["detail"] if event else ""})
    end = run.result or (flow.ends[0] if flow.ends else "")
    final = seen.get(run.result) if run.result else None
    steps.append({"step": end, "label": end,
                  "state": "failed" if run.failed else ("done" if done else "pending"),
                  "at": _when(final["at"]) if final else None,
                  "detail": final["detail"] if final else ""})
    known = offered.ACTIONS.get(run.action)
    return {"id": run.id, "action": run.action,
            "label": known.label.rstrip("…") if known else run.action,
            "by": run.by or "outside the portal",
            "started_at": run.started_at, "finished": done, "failed": run.failed,
            "steps": steps}


def view(server_id: str, runs: list[ActionRun] | None = None) -> list[dict]:
    if runs is None:
        runs = list(ActionRun.objects.filter(server_id=server_id)[:SHOWN])
    return [_shown(r) for r in runs[:SHOWN]]


def views(server_ids) -> dict[str, list[dict]]:
    """The runs of several servers (one query)."""
    found: dict[str, list] = {sid: [] for sid in server_ids}
    for run in ActionRun.objects.filter(server_id__in=list(server_ids)):
        found.setdefault(run.server_id, []).append(run)
    return {sid: view(sid, runs) for sid, runs in found.items()}
