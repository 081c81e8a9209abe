"""No networks write skips its audit record or its live event, whoever acts: a person
through the portal, or the service account (a Celery task) calling a service directly."""

import ipaddress
import time
from unittest import mock

import pytest

from networks import changes as networks_changes
from networks import pollstate as networks_pollstate
from networks import services
from portal import events
from portal.actor import SERVICE_USER, Actor
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr(events, "publish",
                        lambda project, html, kind: sent.append((project, kind, html)))
    return sent


def test_service_account_writes_are_audited_and_published(portal_settings, cloud, pool,
                                                          prefix, published):
    """What the vms follow-up does: allocate (and later release) a floating IP for a
    project as the service account. The address is the project's, and each step leaves
    an audit row naming the service account and an event for the project's pages."""
    alice = cloud.connect("alice")
    project_id = alice.current_project_id
    actor = Actor.service(project_id)

    fip = services.allocate_floating_ip(actor, pool["id"])
    assert alice.network.get_ip(fip.id).project_id == project_id
    services.disassociate_floating_ip(actor, fip.id)
    services.release_floating_ip(actor, {"id": fip.id,
                                         "floating_ip_address": fip.floating_ip_address})
    assert alice.network.find_ip(fip.id) is None

    rows = AuditEvent.objects.filter(project_id=project_id).order_by("id")
    assert [(r.action, r.user_name, r.request_id) for r in rows] == [
        (action, SERVICE_USER, actor.request_id) for action in
        ("floating_ip.allocate", "floating_ip.disassociate", "floating_ip.release")]
    assert all(fip.id in r.target for r in rows)
    # The floating IPs list is live: the networks poller is kicked and pushes the rows.
    assert published == [] and networks_pollstate.due(time.time())


def test_a_persons_write_is_audited_with_the_requests_id(as_, cloud, prefix, published):
    alice = as_("alice")
    networks_pollstate.polled(time.time() + 60)  # not due for a minute, unless kicked
    resp = alice.post("/network/create/", {"name": f"{prefix}-net"})
    assert resp.status_code == 302
    row = AuditEvent.objects.get(action="network.create")
    assert row.user_name == cloud.accounts["alice"].username
    assert row.request_id == resp["X-Request-Id"] and f"{prefix}-net" in row.target
    # A network's list is live: the networks poller is kicked and pushes the row (its
    # own test, test_poller.py), rather than a reload banner going out from here.
    assert published == []
    assert networks_pollstate.due(time.time())


NET4 = ipaddress.ip_network("10.9.0.0/24")
GROUP = {"id": "g1", "name": "web"}
ROUTER = {"id": "r1", "name": "r"}
POOL = {"id": "p1", "name": "public"}

# Every write of networks.services (describe_attached only reads), with arguments.
WRITES = {
    "create_network": ("n",),
    "rename_network": ("n1", "n"),
    "delete_network": ({"id": "n1", "name": "n"},),
    "create_subnet": ("n1", {"cidr": "10.9.0.0/24"}),
    "update_subnet": ("s1", {"name": "s"}),
    "delete_subnet": ({"id": "s1", "name": "s", "cidr": "10.9.0.0/24"},),
    "quick_network": ("q", NET4, [], POOL),
    "create_router": ("r", POOL),
    "add_interface": (ROUTER, "s1"),
    "remove_interface": (ROUTER, "s1"),
    "delete_router": (ROUTER,),
    "allocate_floating_ip": ("p1",),
    "associate_floating_ip": ("f1", "port1"),
    "disassociate_floating_ip": ("f1",),
    "release_floating_ip": ({"id": "f1", "floating_ip_address": "203.0.113.9"},),
    "create_security_group": ("web",),
    "delete_security_group": (GROUP,),
    "add_rules": (GROUP, [{"direction": "ingress"}]),
    "delete_rule": (GROUP, "rule1"),
    "create_pool": ("public", "flat", "physnet1", None, False),
    "add_range": (POOL, NET4, [{"start": "10.9.0.10", "end": "10.9.0.20"}]),
    "delete_range": (POOL, {"id": "s1", "cidr": "10.9.0.0/24"}),
    "delete_pool": (POOL, 0),
    "set_floating_ip_quota": ("p2", 5),
}


def test_the_list_of_writes_is_complete():
    assert set(WRITES) == set(services.__all__) - {"describe_attached"}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_announces(name, published):
    """Each service, on a connection that accepts everything, ends with one audit row
    named `<object>.<verb>` and one event to the actor's project."""
    actor = Actor(user_id="u1", user_name="alice", project_id="proj1", roles=("member",),
                  connect=mock.MagicMock)
    networks_pollstate.polled(time.time() + 60)
    getattr(services, name)(actor, *WRITES[name])
    (row,) = AuditEvent.objects.all()
    assert (row.user_name, row.project_id, row.request_id) == ("alice", "proj1",
                                                               actor.request_id)
    obj, verb = row.action.split(".")
    assert obj and verb and row.target
    if row.action.startswith(networks_changes.LIVE):
        # A live list's change: the networks poller is kicked and pushes the rows.
        assert published == [] and networks_pollstate.due(time.time())
    else:
        assert [(p, kind) for p, kind, _ in published] == [("proj1", row.action)]
