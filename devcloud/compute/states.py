"""Nova's checks before a server action, in Nova's order and words.

compute/api.py decorates each action with check_instance_lock (outermost: a locked server
refuses a non-admin before its state is looked at), check_instance_host (start, stop:
"is not ready" without a host, e.g. SHELVED_OFFLOADED) and check_instance_state (vm_state,
then task_state, then launched_at); the API names the action in the 409 as its own
action key ('createImage', 'shelveOffload', 'confirmResize', ...).
"""

from ..errors import CloudError


def conflict(server: dict, action: str, attr: str) -> CloudError:
    return CloudError(409, f"Cannot '{action}' instance {server['id']} while it is in "
                           f"{attr} {server[attr]}")


def check_state(server: dict, action: str, vm_states, task_states=(None,)) -> None:
    """Nova's check_instance_state: vm_state first, then task_state, then launched_at."""
    if server["vm_state"] not in vm_states:
        raise conflict(server, action, "vm_state")
    if task_states is not None and (server["task_state"] not in task_states
                                    or server.get("flow")):
        # a flow between two of its tasks (task_state None for a moment) is still running:
        # what Nova's expected_task_state guard refuses
        raise conflict(server, action, "task_state")
    if not server.get("launched_at"):
        raise conflict(server, action, "launched_at")


def check_lock(server: dict, ctx) -> None:
    """Nova's check_instance_lock: admins act on locked servers, nobody else does."""
    if server.get("locked") and not ctx.is_admin:
        raise CloudError(409, f"Instance {server['id']} is locked")


def check_host(server: dict) -> None:
    """Nova's check_instance_host: a server off every host (shelved offloaded) is not ready."""
    if not server.get("host"):
        raise CloudError(409, f"Instance {server['id']} is not ready")
