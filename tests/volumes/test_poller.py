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



def _nova_lists(cloud, since: float) -> list[dict]:
    calls = cloud.devcloud.admin_api("GET", f"stats?since={since}")["calls"]
    return [c for c in calls if c["service"] == "compute" and c["method"] == "GET"
            and c["path"].endswith("/servers")]


def _in_use_rows(service, seen, volume_ids, start: int = 0) -> dict:
    """Tick until each volume's in-use row was published (after seen[start]): id → html."""
    def rows():
        return {vid: html for _, html, _ in seen[start:] for vid in volume_ids
                if vid in html and ">in-use<" in html}
    _until(service, seen, lambda _s: rows().keys() == set(volume_ids))
    return rows()


def test_a_live_row_names_the_attached_server_from_one_list_for_the_tick(
        cloud, published, prefix, image_id, networks):
    """The row a poll publishes for an attached volume shows the server's name (not its
    id): from the vms poller's ServerState when it knows the server, else from one Nova
    id/name list for all the changed rows of the tick."""
    from vms.models import ServerState

    service, alice = cloud.connect("admin"), cloud.connect("alice")
    vols = [alice.block_storage.create_volume(size=1, name=f"{prefix}-att{i}") for i in (0, 1)]
    server = alice.compute.create_server(name=f"{prefix}-named", flavor_id="1",
                                         image_id=image_id,
                                         networks=[{"uuid": networks["alice"]["network"].id}])
    server = alice.compute.wait_for_server(server, wait=120, interval=0.5)
    for vol in vols:
        alice.block_storage.wait_for_status(vol, "available", wait=60, interval=0.3)
    assert poller.tick(conn=service)["polled"]          # the first tick only learns
    ServerState.objects.filter(server_id=server.id).delete()   # unknown to the vms poller
    for vol in vols:
        alice.compute.create_volume_attachment(server, volume_id=vol.id)
    for vol in vols:
        alice.block_storage.wait_for_status(vol, "in-use", wait=60, interval=0.3)
    started = time.time()
    rows = _in_use_rows(service, published, [v.id for v in vols])
    assert all(f">{prefix}-named</a>" in html for html in rows.values()), rows
    if cloud.is_devcloud:   # both rows changed in one tick: one id/name list for the two
        assert len(_nova_lists(cloud, started)) == 1

    # Known to the vms poller: named with no Nova call at all
    ServerState.objects.create(server_id=server.id, project_id=alice.current_project_id,
                               name=f"{prefix}-known", status="ACTIVE")
    alice.compute.delete_volume_attachment(server, vols[0].id)
    alice.block_storage.wait_for_status(vols[0], "available", wait=60, interval=0.3)
    _until(service, published, lambda s: vols[0].id in s[1] and ">available<" in s[1])
    alice.compute.create_volume_attachment(server, volume_id=vols[0].id)
    alice.block_storage.wait_for_status(vols[0], "in-use", wait=60, interval=0.3)
    started, before = time.time(), len(published)
    rows = _in_use_rows(service, published, [vols[0].id], start=before)
    assert f">{prefix}-known</a>" in rows[vols[0].id]
    if cloud.is_devcloud:
        assert _nova_lists(cloud, started) == []


def test_the_portals_own_change_events_name_servers_the_vms_poller_knows():
    """services.* announce fragments.changed(vol) with no names: those the vms poller keeps
    (no cloud call); an unknown server keeps its id."""
    from vms.models import ServerState
    from volumes import fragments

    known, unknown = str(uuid.uuid4()), str(uuid.uuid4())
    ServerState.objects.create(server_id=known, project_id="p", name="t-web-1",
                               status="ACTIVE")
    vol = {"id": str(uuid.uuid4()), "name": "t-data", "status": "detaching", "size": 1,
           "attachments": [{"server_id": known, "device": "/dev/sdb"},
                           {"server_id": unknown, "device": "/dev/sdc"}]}
    html = fragments.changed(vol)
    assert f'<a href="/servers/{known}/">t-web-1</a>' in html
    assert f'<a href="/servers/{unknown}/">{unknown}</a>' in html
