"""Beat's housekeeping: expired sessions, spent console tickets, and audit, console-session
and timeline rows past their retention go; everything else stays."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from consoles.models import ConsoleSession, ConsoleTicket
from portal import tasks
from portal.models import AuditEvent
from vms.models import TimelineEvent

pytestmark = pytest.mark.django_db


def ticket(digest: str, expires_at):
    return ConsoleTicket.objects.create(
        digest=digest, user_id="u", user_name="u", role="member", session_digest="s",
        server_id="srv", console_type="novnc", mode="proxy", via="user token",
        sealed_target="x", created_at=expires_at - timedelta(seconds=30),
        expires_at=expires_at)


def console_session(started_at, ended_at):
    return ConsoleSession.objects.create(
        user_id="u", user_name="u", role="member", via="user token", server_id="srv",
        console_type="novnc", mode="proxy", started_at=started_at, ended_at=ended_at,
        close_reason="client closed" if ended_at else ConsoleSession.OPEN)


def audit(at):
    event = AuditEvent.objects.create(user_name="u", action="server.start", target="t")
    AuditEvent.objects.filter(pk=event.pk).update(at=at)      # auto_now_add set it to now
    return event


def timeline(step: str, at):
    return TimelineEvent.objects.create(server_id="srv", project_id="p", step=step, at=at)


def test_housekeeping_prunes_what_is_past_its_time():
    now = timezone.now()
    old, recent = now - timedelta(days=400), now - timedelta(days=1)
    Session.objects.create(session_key="expired" + "x" * 20, session_data="",
                           expire_date=now - timedelta(minutes=1))
    live = Session.objects.create(session_key="live" + "x" * 20, session_data="",
                                  expire_date=now + timedelta(hours=1))
    ticket("spent", now - timedelta(hours=2))
    fresh = ticket("fresh", now + timedelta(seconds=30))
    audit(old)
    kept_audit = audit(recent)
    console_session(old, old + timedelta(minutes=5))
    still_open = console_session(old, None)          # an open session is never pruned
    kept_session = console_session(recent, recent + timedelta(minutes=5))
    timeline("requested", now - timedelta(days=settings.TIMELINE_RETENTION_DAYS + 1))
    kept_step = timeline("active", recent)

    gone = tasks.housekeeping.apply().get()

    assert gone == {"sessions": 1, "console_tickets": 1, "audit_events": 1,
                    "console_sessions": 1, "timeline_events": 1}
    assert list(Session.objects.values_list("pk", flat=True)) == [live.pk]
    assert list(ConsoleTicket.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept_audit.pk]
    assert set(ConsoleSession.objects.values_list("pk", flat=True)) == {
        still_open.pk, kept_session.pk}
    assert list(TimelineEvent.objects.values_list("pk", flat=True)) == [kept_step.pk]


def test_a_retention_of_zero_keeps_rows_for_good(settings):
    settings.AUDIT_RETENTION_DAYS = 0
    settings.TIMELINE_RETENTION_DAYS = 0
    ancient = timezone.now() - timedelta(days=3000)
    audit(ancient)
    timeline("requested", ancient)
    gone = tasks.housekeeping.apply().get()
    assert "audit_events" not in gone and "timeline_events" not in gone
    assert AuditEvent.objects.count() == TimelineEvent.objects.count() == 1


def test_beat_runs_it_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["portal-housekeeping"]
    assert entry["task"] == tasks.housekeeping.name and entry["schedule"] == 3600.0
