"""POST /servers/{id}/action: pause/unpause, suspend/resume, lock/unlock, rescue/unrescue,
shelve/shelveOffload/unshelve, as Nova's API controllers and compute/api.py check them:
policy, then the lock, then vm_state/task_state (states.py); each recorded as an instance
action and run as a flow (flows.py).
"""

from ..errors import CloudError
from . import snapshot
from .api import invalid_input, json_response, mv, policy_error
from .service import admin_password
from .states import check_lock, check_state


def _policy(request, rule: str, admin: bool = False) -> None:
    ctx = request["ctx"]
    if not (ctx.is_admin if admin else ctx.can_write):
        raise policy_error(rule)


def simple(action: str, rule: str, vm_states: set, flow: str | None = None,
           admin: bool = False):
    """An action with no body that Nova checks as policy → lock → state, then casts."""
    def handler(request, compute, server, _args):
        _policy(request, rule, admin)
        check_lock(server, request["ctx"])
        check_state(server, action, vm_states)
        compute.record_action(server, action, request["ctx"], request["request_id"])
        compute.run_flow(server, flow or action)
    return handler


# --- lock -----------------------------------------------------------------------------

def _lock_reason(request, args):
    """From 2.73 the body may carry a reason (1-255 characters); before, it is ignored."""
    if not mv(request, "2.73") or args is None:
        return None
    if not isinstance(args, dict):
        raise invalid_input("lock", args, f"{args!r} is not of type 'object', 'null'")
    extra = sorted(set(args) - {"locked_reason"})
    if extra:
        raise invalid_input("lock", args, "Additional properties are not allowed ("
                            f"{', '.join(repr(k) for k in extra)} was unexpected)")
    reason = args.get("locked_reason")
    if reason is None:
        return None
    if not isinstance(reason, str):
        raise invalid_input("locked_reason", reason, f"{reason!r} is not of type 'string'")
    if not reason:
        raise invalid_input("locked_reason", reason, "'' should be non-empty")
    if len(reason) > 255:
        raise invalid_input("locked_reason", reason, f"'{reason}' is too long")
    return reason


def _lock(request, compute, server, args):
    _policy(request, "os_compute_api:os-lock-server:lock")
    reason = _lock_reason(request, args)
    ctx = request["ctx"]
    owner = server["project_id"] == ctx.project_id
    if server.get("locked") and owner:
        return  # Nova: the owner locking a locked server changes nothing, records nothing
    compute.record_action(server, "lock", ctx, request["request_id"])
    changes = {"locked": True, "locked_by": "owner" if owner else "admin"}
    if reason:
        changes["locked_reason"] = reason
    compute.touch(server, **changes)
    compute.finish_actions(server)


def _unlock(request, compute, server, _args):
    _policy(request, "os_compute_api:os-lock-server:unlock")
    ctx = request["ctx"]
    expected = "owner" if server["project_id"] == ctx.project_id else "admin"
    if server.get("locked_by") not in (None, expected) and not ctx.is_admin:
        raise policy_error("os_compute_api:os-lock-server:unlock:unlock_override")
    compute.record_action(server, "unlock", ctx, request["request_id"])
    compute.touch(server, locked=False, locked_by=None, locked_reason=None)
    compute.finish_actions(server)


# --- rescue ---------------------------------------------------------------------------

def _rescue(request, compute, server, args):
    if args is not None and not isinstance(args, dict):
        raise invalid_input("rescue", args, f"{args!r} is not of type 'object', 'null'")
    args = args or {}
    extra = sorted(set(args) - {"adminPass", "rescue_image_ref"})
    if extra:
        raise invalid_input("rescue", args, "Additional properties are not allowed ("
                            f"{', '.join(repr(k) for k in extra)} was unexpected)")
    image_ref = args.get("rescue_image_ref")
    if image_ref is not None and not snapshot.image_id_ok(image_ref):
        raise invalid_input("rescue_image_ref", image_ref, f"'{image_ref}' is not a 'uuid'")
    password = args.get("adminPass") or admin_password()
    _policy(request, "os_compute_api:os-rescue")
    ctx = request["ctx"]
    check_lock(server, ctx)
    check_state(server, "rescue", {"active", "stopped", "error"})
    if image_ref is not None:
        image = compute.store["images"].get(image_ref)
        if image is None or not _visible(image, ctx):
            raise CloudError(400, f"Requested rescue image '{image_ref}' is not supported")
    compute.record_action(server, "rescue", ctx, request["request_id"])
    compute.run_flow(server, "rescue")
    return json_response({"adminPass": password})   # 200, as Nova (kept for compatibility)


def _visible(image: dict, ctx) -> bool:
    return (ctx.is_admin or image.get("visibility") in ("public", "community")
            or image.get("owner") == ctx.project_id)


# --- shelve ---------------------------------------------------------------------------

SHELVE_STATES = {"active", "stopped", "paused", "suspended"}


def _shelve(request, compute, server, _args):
    _policy(request, "os_compute_api:os-shelve:shelve")
    ctx = request["ctx"]
    check_lock(server, ctx)
    check_state(server, "shelve", SHELVE_STATES)
    compute.record_action(server, "shelve", ctx, request["request_id"])
    image = snapshot.new_image(compute, server, ctx, f"{server['name']}-shelved")
    server["shelved_image_id"] = image["id"] if image else None
    compute.run_flow(server, "shelve")


def _unshelve(request, compute, server, args):
    _policy(request, "os_compute_api:os-shelve:unshelve")
    if mv(request, "2.77") and isinstance(args, dict):
        az = args.get("availability_zone")
        if az not in (None, "nova"):
            raise CloudError(400, "The requested availability zone is not available")
    ctx = request["ctx"]
    check_lock(server, ctx)
    check_state(server, "unshelve", {"shelved", "shelved_offloaded"})
    compute.record_action(server, "unshelve", ctx, request["request_id"])
    compute.run_flow(server, "unshelve")


ACTIONS = {
    "pause": simple("pause", "os_compute_api:os-pause-server:pause", {"active"}),
    "unpause": simple("unpause", "os_compute_api:os-pause-server:unpause", {"paused"}),
    "suspend": simple("suspend", "os_compute_api:os-suspend-server:suspend", {"active"}),
    "resume": simple("resume", "os_compute_api:os-suspend-server:resume", {"suspended"}),
    "lock": _lock,
    "unlock": _unlock,
    "rescue": _rescue,
    "unrescue": simple("unrescue", "os_compute_api:os-unrescue", {"rescued"}),
    "shelve": _shelve,
    "shelveOffload": simple("shelveOffload", "os_compute_api:os-shelve:shelve_offload",
                            {"shelved"}, admin=True),
    "unshelve": _unshelve,
}
