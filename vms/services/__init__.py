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

Callers use `vms.services.<name>`: the names below are the app's service API.
"""

from .actions import ACTIONS, CALLS, Call, Outcome, act, act_on_many
from .delete import delete
from .flavors import add_access, create_flavor, delete_flavor, remove_access
from .keypairs import create_keypair, delete_keypair
from .launch import LaunchResult, check_quota, launch

__all__ = ["ACTIONS", "CALLS", "Call", "LaunchResult", "Outcome", "act", "act_on_many",
           "add_access", "check_quota", "create_flavor", "create_keypair", "delete",
           "delete_flavor", "delete_keypair", "launch", "remove_access"]
