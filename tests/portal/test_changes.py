"""The shape every change ends with: portal.changes.announce writes the audit row (with
the actor's request id) and publishes the event; a live channel that is down does not
undo a change; old audit rows take the `<object>.<verb>` names."""

import importlib

import pytest
from django.apps import apps as django_apps

from portal import changes, events
from portal.actor import Actor
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

migration = importlib.import_module("portal.migrations.0002_audit_request_id_and_action_names")


def actor(**kw):
    return Actor(user_id="u1", user_name="alice", project_id="p1", roles=("member",),
                 address="127.0.0.1", connect=lambda: None, **kw)


def test_announce_records_and_publishes(monkeypatch):
    sent = []
    monkeypatch.setattr(events, "publish", lambda project, html, kind: sent.append(
        (project, html, kind)))
    who = actor()
    row = changes.announce(who, "network.create", "net1 (n1)", event="<div id=x></div>",
                           detail="d")
    assert (row.user_name, row.project_id, row.action, row.target, row.detail,
            row.address) == ("alice", "p1", "network.create", "net1 (n1)", "d", "127.0.0.1")
    assert row.request_id == who.request_id and who.request_id.startswith("req-")
    assert sent == [("p1", "<div id=x></div>", "network.create")]


def test_announce_survives_a_dead_live_channel(monkeypatch):
    def down(*args):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(events, "publish", down)
    row = changes.announce(actor(), "server.start", "vm1", event="<div></div>")
    assert AuditEvent.objects.filter(pk=row.pk, action="server.start").exists()


def test_service_actor_announces_into_the_objects_project(monkeypatch):
    sent = []
    monkeypatch.setattr(events, "publish", lambda project, html, kind: sent.append(project))
    row = changes.announce(Actor.service(), "floating_ip.allocate", "203.0.113.5",
                           event="<p></p>", project_id="p9")
    assert sent == ["p9"] and row.user_name.startswith("stackport")


def test_old_action_names_are_migrated():
    AuditEvent.objects.create(user_name="a", action="launch_server")
    AuditEvent.objects.create(user_name="a", action="pool.create")
    AuditEvent.objects.create(user_name="a", action="network.create")
    migration.rename(django_apps, None)
    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == [
        "floating_ip_pool.create", "network.create", "server.launch"]
    migration.unrename(django_apps, None)
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "launch_server", "pool.create", "network.create"}
