"""What the portal itself stores: who used which project last, and the audit log."""

from django.db import models


class LastProject(models.Model):
    """The project a Keystone user last worked in, to scope to it at the next login."""

    keystone_user_id = models.CharField(max_length=64, unique=True)
    project_id = models.CharField(max_length=64)
    # The login form's domain + user name as typed, hashed (portal.views.login_key): the
    # next login with it asks Keystone for a token scoped to project_id straight away.
    login_key = models.CharField(max_length=64, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.keystone_user_id} → {self.project_id}"


class AuditEvent(models.Model):
    """Who did what, from where: logins, project switches, and any action an app records."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user_name = models.CharField(max_length=255)
    user_id = models.CharField(max_length=64, blank=True)
    project_id = models.CharField(max_length=64, blank=True, db_index=True)
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=255, blank=True)
    detail = models.TextField(blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    # The portal's id of the request that made the change (also in its log lines).
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.user_name} {self.action} {self.target}"
