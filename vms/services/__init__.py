"""Operations that change the cloud, by what they change. Each takes the `Actor` it acts
for first (a person's request, or `Actor.service(project_id)` in a task), makes its one
Nova call with `actor.conn` (the person's own token) plus the checks that keep it safe,
and ends the same way: the timeline gets its step, the poller is told to look now, and
`portal.changes.announce` writes the audit record and sends the changed fragments.

    launch.py    the launch form: servers, the key pair it may make, no second server
    actions.py   server actions of one call each (start, stop, reboot, pause, shelve,
                 lock, rescue, ...), one server or several
    delete.py    deleting a server (and its floating IPs on request)
    keypairs.py  key pairs
    flavors.py   admin: flavors and their project access
    resize.py    resize (quota checked first; confirm / revert are actions.py's)
    rebuild.py   rebuild from an image (optionally a new name and key pair)
    snapshot.py  create a snapshot (a Glance image, followed to active)
    rename.py    rename
    attachments.py  security groups, network interfaces, floating IPs of a server

Callers use `vms.services.<name>`: the names below are the app's service API.
"""

from .actions import ACTIONS, CALLS, Call, Outcome, act, act_on_many
from .attachments import (
    add_security_group,
    associate_floating_ip,
    attach_interface,
    detach_interface,
    disassociate_floating_ip,
    remove_security_group,
)
from .delete import delete
from .flavors import add_access, create_flavor, delete_flavor, remove_access
from .keypairs import create_keypair, delete_keypair
from .launch import LaunchResult, check_quota, launch
from .rebuild import rebuild
from .rename import rename
from .resize import resize
from .snapshot import create_snapshot

__all__ = ["ACTIONS", "CALLS", "Call", "LaunchResult", "Outcome", "act", "act_on_many",
           "add_access", "add_security_group", "associate_floating_ip", "attach_interface",
           "check_quota", "create_flavor", "create_keypair", "create_snapshot", "delete",
           "delete_flavor", "delete_keypair", "detach_interface", "disassociate_floating_ip",
           "launch", "rebuild", "remove_access", "remove_security_group", "rename", "resize"]
