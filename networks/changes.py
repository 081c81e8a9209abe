"""How every networks change ends: portal.changes.announce with the networks event (the
banner that tells the project's open pages their networking changed). A service calls
it once the cloud has accepted the change, whoever the actor is (a person's request, a
Celery task on the service account): there is no way to change something and skip it.
"""

from django.template.loader import render_to_string

from portal import changes


def announce(actor, action: str, target: str, detail: str = ""):
    """Audit `action` on `target` by `actor` and tell the actor's project's pages."""
    html = render_to_string("networks/changed.html", {"action": action, "target": target})
    return changes.announce(actor, action, target, event=html, detail=detail)
