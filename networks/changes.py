"""How every networks change ends: portal.changes.announce with the networks event. A
service calls it once the cloud has accepted the change, whoever the actor is (a person's
request, a Celery task on the service account): there is no way to change something and
skip it.

What the event is depends on whether the kind's list is live (networks/poller.py): for
a network, subnet, router, security group, floating IP or floating IP pool (the admins'
pools page: networks/pool_rows.py) the poller is kicked and pushes the changed rows (and
detail panels: networks/panels.py) at the next beat (a second at most), as it does for a
change made anywhere else; for what no list shows (a project's floating IP quota), the
banner that tells the project's open pages to reload.
"""

from django.template.loader import render_to_string

from portal import changes

from . import pollstate

LIVE = ("network.", "subnet.", "router.", "security_group.", "floating_ip.",
        "floating_ip_pool.")


def announce(actor, action: str, target: str, detail: str = ""):
    """Audit `action` on `target` by `actor` and tell the actor's project's pages."""
    if action.startswith(LIVE):
        changes.afterwards(action, pollstate.kick)
        return changes.announce(actor, action, target, event="", detail=detail)
    html = render_to_string("networks/changed.html", {"action": action, "target": target})
    return changes.announce(actor, action, target, event=html, detail=detail)
