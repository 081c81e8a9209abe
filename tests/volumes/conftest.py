"""Fixtures for the volumes tests: logged-in clients, a per-test name prefix whose volumes
and snapshots (any project) are deleted after, and a volume maker."""

import time

import pytest
from openstack import exceptions

from tests.pages import login
from tests.vms.helpers import delete_servers, unique, wait_for


def sweep(admin, prefix: str) -> None:
    """Delete (as admin) the volumes and snapshots named with `prefix`, waiting until gone."""
    bs = admin.block_storage
    snaps = [s for s in bs.snapshots(all_projects=True) if (s.name or "").startswith(prefix)]
    vols = [v for v in bs.volumes(all_projects=True) if (v.name or "").startswith(prefix)]
    for vol in vols:   # their snapshots too, whatever they are called
        snaps += [s for s in bs.snapshots(all_projects=True, volume_id=vol.id)
                  if s.id not in {x.id for x in snaps}]
    for snap in snaps:
        bs.delete_snapshot(snap, ignore_missing=True)
    for snap in snaps:
        bs.wait_for_delete(snap, wait=60, interval=0.3)
    vols = [v for v in vols if v.status != "deleting"]   # the test deleted it already
    for vol in vols:
        for attachment in _attachments(bs, vol):
            admin.compute.delete_volume_attachment(attachment["server_id"], vol.id)
    for vol in vols:
        wait_for(lambda vol=vol: _settled_or_gone(bs, vol), timeout=60,
                 what=f"{vol.id} settled")
        bs.delete_volume(vol, ignore_missing=True)
    for vol in vols:
        bs.wait_for_delete(vol, wait=60, interval=0.3)


def _attachments(bs, vol) -> list:
    try:
        return bs.get_volume(vol).attachments or []
    except exceptions.NotFoundException:
        return []


def _settled_or_gone(bs, vol) -> bool:
    """True once the volume can be deleted, or is gone (a delete the test asked for may
    still have been in flight when the sweep listed it)."""
    try:
        return bs.get_volume(vol).status in ("available", "error")
    except exceptions.NotFoundException:
        return True


@pytest.fixture(scope="module")
def admin_conn(cloud):
    return cloud.connect("admin")


@pytest.fixture
def prefix(admin_conn):
    name = unique("t-vol")
    yield name
    delete_servers(admin_conn, name)
    sweep(admin_conn, name)


@pytest.fixture
def as_(portal_settings, cloud):
    return lambda who: login(cloud, who)


@pytest.fixture
def make_volume(cloud, prefix):
    """make_volume("alice", "-x", size=1) → the volume (openstacksdk), available."""
    def make(who: str, suffix: str = "", **attrs):
        bs = cloud.connect(who).block_storage
        vol = bs.create_volume(name=f"{prefix}{suffix}", size=attrs.pop("size", 1), **attrs)
        return bs.wait_for_status(vol, "available", failures=["error"], wait=60,
                                  interval=0.3)
    return make


def settled(conn, volume_id: str, status: str = "available", timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        vol = conn.block_storage.get_volume(volume_id)
        if vol.status == status:
            return vol
        time.sleep(0.3)
    raise AssertionError(f"{volume_id} is {vol.status}, not {status}")


from tests.vms.conftest import (  # noqa: E402, F401 (shared fixtures)
    eager_tasks,
    fresh_poller,
    image_id,
    networks,
)
