"""The volumes poller on both clouds: a volume made and deleted outside the portal (the
tenant's own SDK) reaches the project's pages as row updates and a removal, from one
Cinder list call per tick (updated_at=gte:<since>; an unfiltered list while a deletion is
watched)."""

import time
import uuid

import pytest

from volumes import poller

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch, portal_settings):
    """What the poll publishes (project, html, kind); its Redis keys its own."""
    seen = []
    monkeypatch.setattr(poller, "PREFIX", f"stackport:test:volumes:{uuid.uuid4().hex[:8]}:")
    monkeypatch.setattr(poller, "publish",
                        lambda project, html, kind="update": seen.append((project, html, kind)))
    yield seen
    from portal.redisconn import client
    keys = list(client().scan_iter(poller.PREFIX + "*"))
    if keys:
        client().delete(*keys)


def _until(service, seen, found, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert poller.tick(conn=service)["polled"]
        hits = [s for s in seen if found(s)]
        if hits:
            return hits
        time.sleep(0.5)
    raise AssertionError(f"not published: {seen[-5:]}")


def test_a_volume_made_and_deleted_outside_the_portal_goes_live(cloud, published, prefix):
    service, alice = cloud.connect("admin"), cloud.connect("alice")
    assert poller.tick(conn=service)["polled"]          # the first tick only learns
    vol = alice.block_storage.create_volume(size=1, name=f"{prefix}-live")
    project = alice.current_project_id
    hits = _until(service, published, lambda s: s[0] == project and vol.id in s[1]
                  and ">available<" in s[1])
    assert all(kind == "volume.status" for _, _, kind in hits)
    before = len(published)
    assert poller.tick(conn=service)["polled"]
    assert not [s for s in published[before:] if vol.id in s[1]]   # unchanged: not again
    alice.block_storage.delete_volume(vol)
    _until(service, published, lambda s: s[0] == project and s[2] == "volume.gone"
           and vol.id in s[1])
