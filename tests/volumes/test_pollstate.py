"""The volumes poll's pace: every beat tick by polling alone; while the notification
listener is alive, a quiet poll is due again only at reconciliation (Cinder's .end
notifications kick it), a poll that saw a volume in transition a tick later."""

import time

import pytest

from portal import notifications
from volumes import pollstate


@pytest.fixture
def clean():
    notifications.stopped()
    pollstate.kick()
    yield
    notifications.stopped()
    pollstate.kick()


def test_polling_alone_polls_every_tick(clean):
    now = time.time()
    pollstate.polled(now, transitional=False)
    assert not pollstate.due(now)
    assert pollstate.due(now + pollstate.INTERVAL)


def test_while_listening_a_quiet_poll_waits_for_a_kick_or_reconciliation(clean):
    notifications.beat()
    now = time.time()
    pollstate.polled(now, transitional=False)
    assert not pollstate.due(now + 5)
    assert pollstate.due(now + notifications.RECONCILE)
    pollstate.kick()                       # volume.create.end arrived
    assert pollstate.due(now)


def test_while_listening_a_volume_in_transition_keeps_the_ticks_pace(clean):
    notifications.beat()
    now = time.time()
    pollstate.polled(now, transitional=True)
    assert pollstate.due(now + pollstate.INTERVAL)
