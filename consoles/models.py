"""Console tickets (one-time, short, stored hashed) and the audit record of every session."""

from django.db import models


class ConsoleTicket(models.Model):
    """What a one-time ticket stands for. Only the SHA-256 of the ticket is stored, and the
    upstream target (Nova's console URL with its token, or host and port) is encrypted with
    a key derived from the ticket itself: the table alone opens no console."""

    digest = models.CharField(max_length=64, primary_key=True)
    user_id = models.CharField(max_length=64)
    user_name = models.CharField(max_length=255)
    role = models.CharField(max_length=64)
    session_digest = models.CharField(max_length=64)
    server_id = models.CharField(max_length=64)
    server_name = models.CharField(max_length=255, blank=True)
    project_id = models.CharField(max_length=64, blank=True)
    console_type = models.CharField(max_length=32)
    mode = models.CharField(max_length=16)
    via = models.CharField(max_length=32)        # "user token" or "service account"
    sealed_target = models.TextField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
    # One use for noVNC. A SPICE client opens one WebSocket per SPICE channel (main, display,
    # inputs, cursor, playback, ...), all to the same URL within a second: those sockets
    # share the ticket, the same session and the same audit record.
    uses = models.PositiveSmallIntegerField(default=0)
    max_uses = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return f"ticket {self.digest[:8]}… {self.console_type} {self.server_id}"


class ConsoleSession(models.Model):
    """Every console session, and every socket refused before it became one."""

    OPEN = "open"

    ticket_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)

    user_id = models.CharField(max_length=64, db_index=True)
    user_name = models.CharField(max_length=255)
    role = models.CharField(max_length=64)
    via = models.CharField(max_length=32)
    server_id = models.CharField(max_length=64, db_index=True)
    server_name = models.CharField(max_length=255, blank=True)
    project_id = models.CharField(max_length=64, db_index=True, blank=True)
    console_type = models.CharField(max_length=32)
    mode = models.CharField(max_length=16)
    address = models.GenericIPAddressField(null=True, blank=True)
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    bytes_to_client = models.BigIntegerField(default=0)
    bytes_to_server = models.BigIntegerField(default=0)
    sockets = models.PositiveSmallIntegerField(default=0)       # WebSockets it used
    open_sockets = models.SmallIntegerField(default=0)
    # "open" while it runs; then "client closed", "server closed", "idle timeout",
    # "upstream unreachable", "refused: <why>", ...
    close_reason = models.CharField(max_length=128, default=OPEN)
    # The relay's heartbeat while the session is open (every conf.heartbeat() seconds): a
    # session whose web process died stops beating, and records.close_lost ends it.
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.user_name} {self.server_id}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def refused(self) -> bool:
        return self.close_reason.startswith("refused")

    @property
    def duration(self):
        return (self.ended_at - self.started_at) if self.ended_at else None
