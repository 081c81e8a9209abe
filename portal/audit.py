"""Record an audit event for the person making the request."""

from .models import AuditEvent


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def record(request, action: str, target: str = "", detail: str = "", *,
           user_name: str | None = None) -> AuditEvent:
    user = getattr(request, "cloud_user", None)
    return AuditEvent.objects.create(
        user_name=user_name or (user.user_name if user else ""),
        user_id=user.user_id if user else "",
        project_id=user.project_id if user else "",
        action=action, target=target, detail=detail, address=client_address(request),
    )
