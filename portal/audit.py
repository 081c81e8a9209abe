"""The audit log: who did what, from where, as which request.

Action names are `<object>.<verb>`: `server.start`, `network.create`,
`floating_ip.allocate`, `session.login`. Apps do not call `record` for their changes:
`portal.changes.announce` does, together with the live event, so neither can be skipped.
"""

from .models import AuditEvent


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def prune_before(cutoff) -> int:
    """Audit rows older than `cutoff` (the retention, PORTAL_AUDIT_RETENTION_DAYS)."""
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


def record(actor, action: str, target: str = "", detail: str = "") -> AuditEvent:
    """One audit row for what `actor` (a portal.actor.Actor) did."""
    return AuditEvent.objects.create(
        user_name=actor.user_name, user_id=actor.user_id, project_id=actor.project_id,
        action=action, target=target[:255], detail=detail, address=actor.address,
        request_id=actor.request_id or "")
