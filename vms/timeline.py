"""The launch and delete timelines: which steps there are, in which order, and how one is
recorded (idempotently: a step written twice stays one event)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import action_steps
from .models import LaunchRequest, TimelineEvent

LAUNCH_STEPS = [
    ("network_chosen", "Network and subnet chosen"),
    ("requested", "Server requested"),
    ("root_volume", "Root volume requested"),
    ("port_created", "Port created"),
    ("volume_attached", "Root volume made and attached"),
    ("building", "Building"),
    ("active", "ACTIVE"),
    ("dhcp_lease", "DHCP lease seen in console log"),
    ("floating_ip", "Floating IP attached"),
]
DELETE_STEPS = [
    ("delete_requested", "Delete requested"),
    ("ports_removed", "Ports removed"),
    ("server_gone", "Server gone"),
    ("ip_free", "Addresses free in the subnet again"),
]
ERROR_STEP = ("error", "ERROR")
LABELS = dict(LAUNCH_STEPS + DELETE_STEPS + [ERROR_STEP])
DELETE_FLOW = {step for step, _ in DELETE_STEPS}


def record(server_id: str, project_id: str, step: str, detail: str = "", *,
           at=None, failed: bool = False) -> TimelineEvent | None:
    """Write a step once; returns the new event, or None when it was already there."""
    flow = TimelineEvent.DELETE if step in DELETE_FLOW else TimelineEvent.LAUNCH
    try:
        with transaction.atomic():
            return TimelineEvent.objects.create(
                server_id=server_id, project_id=project_id, flow=flow, step=step,
                at=at or timezone.now(), detail=detail, failed=failed)
    except IntegrityError:
        return None


def prune_before(cutoff) -> int:
    """Timeline steps older than `cutoff` (PORTAL_TIMELINE_RETENTION_DAYS)."""
    deleted, _ = TimelineEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


def wants_floating_ip(server) -> bool:
    """Whether the portal launch that made this server asked for a floating IP (its
    request id is in the server's metadata)."""
    return asked_floating_ip((server.metadata or {}).get("stackport_request"))


def asked_floating_ip(request_id: str | None) -> bool:
    """Whether the portal launch with this request id asked for a floating IP."""
    return bool(request_id) and LaunchRequest.objects.filter(
        request_id=request_id).exclude(floating_pool_id="").exists()


def has(server_id: str, step: str) -> bool:
    return TimelineEvent.objects.filter(server_id=server_id, step=step).exists()


def _steps(defs, events: dict, skip=()) -> list[dict]:
    return [{"step": step, "label": label, "event": events.get(step)}
            for step, label in defs if step not in skip]


# Steps only a launch through the portal's form has: a server made elsewhere (the CLI,
# another tool) never has them recorded, and they are not shown as pending for it.
PORTAL_LAUNCH_STEPS = ("network_chosen", "requested")
# Steps only a server booted from a volume has (the portal's "root_volume" when its form
# asked for one; the poller's "volume_attached" for any volume-backed server it sees).
VOLUME_STEPS = ("root_volume", "volume_attached")


def not_applying(events: dict, wants_floating_ip: bool) -> set[str]:
    """The launch steps that will never happen to this server, so are not shown: the
    floating IP when none was asked for, the form's steps for a server made elsewhere,
    the volume steps for a server booted from an image."""
    skip = set()
    if not wants_floating_ip:
        skip.add("floating_ip")
    if not any(step in events for step in PORTAL_LAUNCH_STEPS):
        skip.update(PORTAL_LAUNCH_STEPS)
    if not any(step in events for step in VOLUME_STEPS):
        skip.update(VOLUME_STEPS)
    return skip - set(events)  # whatever happened is shown, asked for or not


def view(server_id: str, wants_floating_ip: bool = False, events: dict | None = None,
         actions: list | None = None) -> dict:
    """The timeline as the detail page shows it: every expected step that applies, done
    or pending, and the server's latest actions (vms.action_steps), newest first."""
    if events is None:
        events = {e.step: e for e in TimelineEvent.objects.filter(server_id=server_id)}
    launch = _steps(LAUNCH_STEPS, events, not_applying(events, wants_floating_ip))
    error = events.get("error")
    if error:
        # After ERROR nothing else of the launch happens: show the fault where it stopped.
        launch = [s for s in launch if s["event"]] + [
            {"step": "error", "label": LABELS["error"], "event": error}]
    deleting = "delete_requested" in events
    return {"server_id": server_id, "launch": launch,
            "delete": in_time_order(_steps(DELETE_STEPS, events)) if deleting else [],
            "actions": action_steps.view(server_id) if actions is None else actions}


def in_time_order(steps: list[dict]) -> list[dict]:
    """The steps done, by when they happened (the server is often gone from Nova before
    the follow-up sees its ports gone), then the ones still to come in their usual order."""
    done = sorted((s for s in steps if s["event"]), key=lambda s: s["event"].at)
    return done + [s for s in steps if not s["event"]]


def views(server_ids: list[str], wants_floating_ip: bool) -> list[dict]:
    """The timelines of several servers (one launch's), in one query."""
    events: dict[str, dict] = {sid: {} for sid in server_ids}
    for e in TimelineEvent.objects.filter(server_id__in=server_ids):
        events[e.server_id][e.step] = e
    actions = action_steps.views(server_ids)
    return [view(sid, wants_floating_ip, events[sid], actions[sid]) for sid in server_ids]
