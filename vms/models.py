"""What the vms app keeps: launch requests (double-submit guard, follow-ups), the
poller's last view of each server (to diff against), and timeline events."""

from django.db import models


class LaunchRequest(models.Model):
    """One submitted launch form. `request_id` is unique: a second submit of the same form
    (double click, retried POST) cannot create a second row, so it cannot create servers."""

    request_id = models.CharField(max_length=64, unique=True)
    project_id = models.CharField(max_length=64, db_index=True)
    user_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    count = models.PositiveIntegerField(default=1)
    floating_pool_id = models.CharField(max_length=64, blank=True)
    # What the timeline's first step shows: [{"network", "subnets": [cidr, ...]}]
    networks = models.JSONField(default=list)
    server_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ×{self.count} ({self.request_id})"


class ServerState(models.Model):
    """The poller's last view of a server; a poll diffs Nova's answer against this."""

    server_id = models.CharField(max_length=64, primary_key=True)
    project_id = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=32, db_index=True)
    task_state = models.CharField(max_length=64, blank=True)
    # [{"id", "mac", "network_id", "fixed_ips": [{"subnet_id", "ip_address"}]}]
    ports = models.JSONField(default=list)
    row = models.JSONField(default=dict)  # what the list row shows (see vms.rows)
    request_id = models.CharField(max_length=64, blank=True)
    seen_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} {self.status}"


class TimelineEvent(models.Model):
    """One step of a server's launch or delete timeline. (server_id, step) is unique so
    a step written twice (a retried follow-up, an overlapping poll) stays one event."""

    LAUNCH, DELETE = "launch", "delete"
    server_id = models.CharField(max_length=64, db_index=True)
    project_id = models.CharField(max_length=64)
    flow = models.CharField(max_length=16, default=LAUNCH)
    step = models.CharField(max_length=32)
    at = models.DateTimeField()
    detail = models.TextField(blank=True)
    failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["server_id", "step"],
                                               name="vms_timeline_one_step_per_server")]

    def __str__(self) -> str:
        return f"{self.server_id} {self.step} {self.at:%H:%M:%S}"


class ActionRun(models.Model):
    """One action on a server (stop, shelve, ...; the portal's or one Nova was seen doing)
    and the steps the poller saw it go through: Nova's task_states, then the status it
    settled in. `steps` is [{"step", "at" (ISO), "detail"}], in the order seen."""

    server_id = models.CharField(max_length=64, db_index=True)
    project_id = models.CharField(max_length=64)
    action = models.CharField(max_length=32)
    by = models.CharField(max_length=255, blank=True)  # who asked ("" : outside the portal)
    request_id = models.CharField(max_length=64, blank=True)
    from_status = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=32, blank=True)  # the status it settled in
    failed = models.BooleanField(default=False)
    steps = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["server_id", "finished_at"],
                                name="vms_actionrun_open")]

    def __str__(self) -> str:
        return f"{self.server_id} {self.action} {self.started_at:%H:%M:%S}"


class Snapshot(models.Model):
    """A snapshot the portal asked Nova for, followed to `active` in Glance: the server's
    task_states are its action run's (ActionRun), the image's upload is followed here,
    with one Glance list call per poll for every snapshot still uploading."""

    server_id = models.CharField(max_length=64, db_index=True)
    project_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    image_id = models.CharField(max_length=64)
    status = models.CharField(max_length=32, default="queued")  # Glance's, as last seen
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)  # active, failed or gone
    failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["ended_at"], name="vms_snapshot_open")]

    def __str__(self) -> str:
        return f"{self.name} ({self.image_id}) {self.status}"
