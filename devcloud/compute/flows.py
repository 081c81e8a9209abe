"""Day-2 server actions as Nova's compute manager runs them: each a fixed sequence of
task_states (the first set by the API, the rest by nova-compute) and the state it ends in.

Each step is (task_state, hook) (a task_state None: a moment between two tasks, as a
stopped server's rebuild shows ACTIVE before powering off): the hook returns extra changes
made together with that task_state (e.g. the flavor switching at resize_finish); `finish`
returns the changes of the end, made with task_state None. Service.run_flow walks a flow
with the configurable action delay and resumes one a restart interrupted from the
task_state it had reached.

Sequences and end states are the ones a real Nova 2026.2 (fake virt driver) shows, e.g.
shelve with the default shelved_offload_time 0: shelving → shelving_image_pending_upload →
shelving_image_uploading → (vm_state shelved) shelving_offloading → SHELVED_OFFLOADED.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .api import iso_micro, now
from .hosts import HOST

POWER_RUNNING, POWER_SHUTDOWN = 1, 4


@dataclass(frozen=True)
class Flow:
    steps: tuple[tuple[str, Callable | None], ...]
    finish: Callable
    guest: str | None = None   # what a tiny guest does at the end (see guests.act)


def _set(**changes):
    return lambda compute, server, args: dict(changes)


def _launched(**changes):
    """An end where the hypervisor (re)started the guest: Nova stamps launched_at."""
    return lambda compute, server, args: {**changes, "launched_at": iso_micro(now())}


# --- shelve -------------------------------------------------------------------------------

def _shelve_image_queued(compute, server, args):
    compute.snapshot_image_saving(server.get("shelved_image_id"))


def _shelve_image_done(compute, server, args):
    compute.snapshot_image_active(server.get("shelved_image_id"))
    return {"vm_state": "shelved", "power_state": POWER_SHUTDOWN}


def _offloaded(compute, server, args):
    compute.network.set_ports_host(server["id"], "")
    compute.network.set_ports_status(server["id"], "DOWN")
    return {"vm_state": "shelved_offloaded", "power_state": POWER_SHUTDOWN, "host": None,
            "availability_zone": None}


def _unshelve_scheduled(compute, server, args):
    compute.network.set_ports_host(server["id"], HOST)
    return {"host": HOST, "availability_zone": "nova"}


def _unshelved(compute, server, args):
    compute.network.set_ports_status(server["id"], "ACTIVE")
    compute.delete_image(server.pop("shelved_image_id", None))
    return {"vm_state": "active", "power_state": POWER_RUNNING,
            "launched_at": iso_micro(now())}


# --- resize -------------------------------------------------------------------------------

def _resize_finish(compute, server, args):
    return {"flavor": dict(server["new_flavor"])}


def _resized(compute, server, args):
    return {"vm_state": "resized"}


def _reverted(compute, server, args):
    old = server.pop("old_flavor")
    server.pop("new_flavor", None)
    stopped = server.pop("resized_from", "active") == "stopped"
    return {"flavor": old, "vm_state": "stopped" if stopped else "active",
            "power_state": POWER_SHUTDOWN if stopped else POWER_RUNNING}


def _confirmed(compute, server, args):
    server.pop("old_flavor", None)
    server.pop("new_flavor", None)
    stopped = server.pop("resized_from", "active") == "stopped"
    return {"vm_state": "stopped" if stopped else "active"}


# --- rebuild ------------------------------------------------------------------------------

def _rebuilt_spawned(compute, server, args):
    """A stopped server is spawned again (ACTIVE, no task), then stopped again by the
    same operation (powering-off)."""
    return {"vm_state": "active", "power_state": POWER_RUNNING,
            "launched_at": iso_micro(now())}


# --- snapshot -----------------------------------------------------------------------------

def _snapshot_saving(compute, server, args):
    compute.snapshot_image_saving(args["image_id"])


def _snapshot_done(compute, server, args):
    compute.snapshot_image_active(args["image_id"])
    return {}


REBUILD_STEPS = (("rebuilding", None), ("rebuild_block_device_mapping", None),
                 ("rebuild_spawning", None))
RESIZE_STEPS = (("resize_prep", None), ("resize_migrating", None),
                ("resize_migrated", None), ("resize_finish", _resize_finish))

FLOWS = {
    "pause": Flow((("pausing", None),), _set(vm_state="paused")),
    "unpause": Flow((("unpausing", None),), _set(vm_state="active")),
    "suspend": Flow((("suspending", None),), _set(vm_state="suspended")),
    "resume": Flow((("resuming", None),), _set(vm_state="active")),
    "rescue": Flow((("rescuing", None),),
                   _launched(vm_state="rescued", power_state=POWER_SHUTDOWN),
                   guest="rebooting_hard"),
    "unrescue": Flow((("unrescuing", None),),
                     _set(vm_state="active", power_state=POWER_RUNNING),
                     guest="rebooting_hard"),
    "shelve": Flow((("shelving", None), ("shelving_image_pending_upload", None),
                    ("shelving_image_uploading", _shelve_image_queued),
                    ("shelving_offloading", _shelve_image_done)), _offloaded,
                   guest="powering-off"),
    "shelveOffload": Flow((("shelving_offloading", None),), _offloaded,
                          guest="powering-off"),
    "unshelve": Flow((("unshelving", None), ("spawning", _unshelve_scheduled)), _unshelved,
                     guest="powering-on"),
    "resize": Flow(RESIZE_STEPS, _resized),
    "revertResize": Flow((("resize_reverting", None),), _reverted),
    # a stopped server's revert powers the old flavor's guest off before it ends
    "revertResize-stopped": Flow((("resize_reverting", None), ("powering-off", None)),
                                 _reverted),
    "confirmResize": Flow((), _confirmed),
    "rebuild": Flow(REBUILD_STEPS, _launched(vm_state="active", power_state=POWER_RUNNING),
                    guest="rebooting_hard"),
    "rebuild-stopped": Flow(REBUILD_STEPS + ((None, _rebuilt_spawned), ("powering-off", None)),
                            _set(vm_state="stopped", power_state=POWER_SHUTDOWN),
                            guest="powering-off"),
    "createImage": Flow((("image_snapshot_pending", None), ("image_snapshot", None),
                         ("image_pending_upload", _snapshot_saving),
                         ("image_uploading", None)), _snapshot_done),
}
