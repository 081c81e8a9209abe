"""os-instance-actions: what was done to a server, with the events Nova records for each
action (the names a real Nova 2026.2 shows, e.g. resize: conductor_migrate_server,
cold_migrate, compute_prep_resize, compute_resize_instance, compute_finish_resize).

Shown as Nova shows them: newest first; updated_at from 2.58; events for everyone from 2.51
(admins always), hostId from 2.62, the admin's host and traceback, details from 2.84.
"""

import hashlib

from ..errors import CloudError
from .api import iso_micro, mv, now

# Nova's events per action, in the order they start (shown newest first).
EVENTS = {
    "create": ["compute__do_build_and_run_instance"],
    "start": ["compute_start_instance"], "stop": ["compute_stop_instance"],
    "reboot": ["compute_reboot_instance"],
    "pause": ["compute_pause_instance"], "unpause": ["compute_unpause_instance"],
    "suspend": ["compute_suspend_instance"], "resume": ["compute_resume_instance"],
    "rescue": ["compute_rescue_instance"], "unrescue": ["compute_unrescue_instance"],
    "lock": ["api_lock"], "unlock": ["api_unlock"],
    "shelve": ["compute_shelve_instance"],
    "shelveOffload": ["compute_shelve_offload_instance"],
    "unshelve": ["get_image_info", "schedule_instances", "compute_unshelve_instance"],
    "resize": ["conductor_migrate_server", "cold_migrate", "compute_prep_resize",
               "compute_resize_instance", "compute_finish_resize"],
    "confirmResize": ["compute_confirm_resize"],
    "revertResize": ["compute_revert_resize", "compute_finish_revert_resize"],
    "rebuild": ["rebuild_server", "compute_rebuild_instance"],
    "createImage": ["compute_snapshot_instance"],
    "attach_interface": ["compute_attach_interface"],
    "detach_interface": ["compute_detach_interface"],
}


def record(server: dict, action: str, ctx, request_id: str) -> None:
    stamp = iso_micro(now())
    server.setdefault("actions", []).append({
        "action": action, "instance_uuid": server["id"], "request_id": request_id,
        "user_id": ctx.user_id, "project_id": server["project_id"], "start_time": stamp,
        "message": None, "updated_at": stamp, "finished": False, "events": []})


def _open(action: dict) -> bool:
    if "finished" in action:
        return not action["finished"]
    return action["updated_at"] == action["start_time"]   # recorded before events were


def finish(server: dict, host: str, message: str | None = None) -> None:
    """The server's open actions end now (message "Error" when they failed)."""
    stamp = iso_micro(now())
    for action in server.get("actions", []):
        if not _open(action):
            continue
        action.update(updated_at=stamp, finished=True)
        if message:
            action["message"] = message
        action["events"] = [{"event": name, "start_time": action["start_time"],
                             "finish_time": stamp,
                             "result": "Error" if message else "Success",
                             "traceback": None, "host": host, "details": None}
                            for name in EVENTS.get(action["action"], [])]


def abandon(server: dict) -> None:
    """The open actions stay as Nova leaves one its API gave up on after recording it (a
    port that does not exist): no events, no message, never updated."""
    for action in server.get("actions", []):
        if _open(action):
            action["finished"] = True


def _host_id(project_id: str, host: str | None) -> str:
    return hashlib.sha224((project_id + host).encode()).hexdigest() if host else ""


def _event_view(request, action: dict, event: dict) -> dict:
    out = {"event": event["event"], "start_time": event["start_time"],
           "finish_time": event["finish_time"], "result": event["result"]}
    admin = request["ctx"].is_admin
    if admin:
        out["traceback"] = event["traceback"]
    if mv(request, "2.62"):
        if admin:
            out["host"] = event["host"]
        out["hostId"] = _host_id(action["project_id"], event["host"])
    if admin and mv(request, "2.84"):
        out["details"] = event["details"]
    return out


def view(request, action: dict, with_events: bool = False) -> dict:
    out = {k: action[k] for k in ("action", "instance_uuid", "request_id", "user_id",
                                  "project_id", "start_time", "message")}
    if mv(request, "2.58"):
        out["updated_at"] = action["updated_at"]
    if with_events and (request["ctx"].is_admin or mv(request, "2.51")):
        out["events"] = [_event_view(request, action, e)
                         for e in reversed(action.get("events", []))]
    return out


def listed(request, server: dict) -> dict:
    return {"instanceActions": [view(request, a)
                                for a in reversed(server.get("actions", []))]}


def shown(request, server: dict, request_id: str) -> dict:
    for action in server.get("actions", []):
        if action["request_id"] == request_id:
            return {"instanceAction": view(request, action, with_events=True)}
    raise CloudError(404, f"Action for request_id {request_id} on instance {server['id']} "
                          "not found")
