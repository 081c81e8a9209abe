"""What beat prunes every hour (portal.tasks.housekeeping): expired sessions, spent console
tickets, and audit, console-session and timeline rows older than their retention.

    PORTAL_AUDIT_RETENTION_DAYS      365   the audit log and the console session records
    PORTAL_TIMELINE_RETENTION_DAYS   90    servers' launch and delete timelines

0 keeps them for good. Each app prunes its own tables through its public function.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


def run(now=None) -> dict[str, int]:
    """Prune everything that is due; how many rows of each went."""
    from consoles import records, tickets
    from vms import timeline

    from . import audit

    now = now or timezone.now()
    gone = {"sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
            "console_tickets": tickets.prune_expired(now)}
    if days := settings.AUDIT_RETENTION_DAYS:
        cutoff = now - timedelta(days=days)
        gone["audit_events"] = audit.prune_before(cutoff)
        gone["console_sessions"] = records.prune_ended_before(cutoff)
    if days := settings.TIMELINE_RETENTION_DAYS:
        gone["timeline_events"] = timeline.prune_before(now - timedelta(days=days))
    return gone
