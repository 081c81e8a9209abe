"""The launch form's boot sources, on devcloud and the real cloud: a new volume made from
the image (deleted with the server, or kept), an existing bootable volume, a volume
snapshot; the timeline shows the volume steps (and an image boot none); bad choices are
refused on the form with nothing made in the cloud. The in-process portal (test client),
the poller run here."""

import pytest

from portal.models import AuditEvent
from tests.pages import form_error, text
from tests.vms.helpers import delete_servers, launch_data, wait_for
from vms import boot_source, tasks
from vms.models import TimelineEvent

from .conftest import _settled_or_gone, settled

pytestmark = pytest.mark.django_db


def steps(server_id) -> dict:
    return {e.step: e for e in TimelineEvent.objects.filter(server_id=server_id)}


def poll_until(predicate, timeout=90, what="poll result"):
    def step():
        tasks.poll(force=True)
        return predicate()
    return wait_for(step, timeout=timeout, interval=0.3, what=what)


def launched(resp) -> str:
    assert resp.status_code == 302, form_error(resp)
    return resp.url.rstrip("/").rsplit("/", 1)[1]


def root_volume(conn, server_id: str):
    """The server's root volume as Cinder shows it (Nova lists it in volumes_attached)."""
    server = conn.compute.get_server(server_id)
    (attached,) = server.attached_volumes
    return conn.block_storage.get_volume(attached["id"])


@pytest.fixture
def roots(admin_conn, prefix):
    """Root volumes Nova made for the test's servers (named "", so the name sweep misses
    them): deleted after with their snapshots, once the test's servers are gone."""
    made: list[str] = []
    yield made
    delete_servers(admin_conn, prefix)
    bs = admin_conn.block_storage
    for volume_id in made:
        for snap in bs.snapshots(all_projects=True, volume_id=volume_id):
            bs.delete_snapshot(snap, ignore_missing=True)
            bs.wait_for_delete(snap, wait=60, interval=0.3)
        wait_for(lambda v=volume_id: _settled_or_gone(bs, v), timeout=60,
                 what=f"{volume_id} settled")
        bs.delete_volume(volume_id, ignore_missing=True)
        wait_for(lambda v=volume_id: bs.find_volume(v, ignore_missing=True,
                                                    all_projects=True) is None,
                 timeout=60, what=f"{volume_id} deleted")


@pytest.fixture
def alice(as_):
    return as_("alice")


def _data(networks, prefix, image_id, **extra):
    extra = {"name": prefix, "image": image_id, **extra}
    return launch_data(networks["alice"]["network"].id, **extra)


def test_the_form_offers_the_boot_sources(alice):
    page = alice.get("/servers/launch/").content.decode()
    for value, _label in boot_source.CHOICES:
        assert f'value="{value}"' in page
    assert 'name="volume_size"' in page and 'name="delete_on_termination"' in page


def test_boot_from_a_new_volume_deleted_with_the_server(alice, cloud, networks, image_id,
                                                        prefix, roots, eager_tasks,
                                                        fresh_poller):
    conn = cloud.connect("alice")
    sid = launched(alice.post("/servers/launch/", _data(
        networks, prefix, image_id, boot_source="new_volume", volume_size=1,
        delete_on_termination="on")))
    ev = poll_until(lambda: {"active", "volume_attached"} <= set(steps(sid)) and steps(sid),
                    what="ACTIVE with its root volume")
    server = conn.compute.get_server(sid)
    assert not (server.image and server.image.id)      # Nova: image "" when volume-backed
    vol = root_volume(conn, sid)
    roots.append(vol.id)
    assert vol.is_bootable and vol.size == 1 and vol.status == "in-use"
    assert vol.volume_image_metadata["image_id"] == image_id
    assert [a["server_id"] for a in vol.attachments] == [sid]
    assert ev["root_volume"].detail.startswith("new 1 GB volume from image ")
    assert ev["root_volume"].detail.endswith("deleted with the server")
    assert ev["volume_attached"].detail == f"volume {vol.id}, deleted with the server"
    order = ["requested", "root_volume", "port_created", "volume_attached", "active"]
    assert [s for s in order if s in ev] == order
    page = text(alice.get(f"/servers/{sid}/"))
    assert "Root volume requested" in page and "Root volume made and attached" in page
    audited = AuditEvent.objects.get(action="server.launch", target=prefix)
    assert audited.detail.endswith(", root: new 1 GB volume from image "
                                   f"{conn.image.get_image(image_id).name}, deleted with "
                                   "the server")
    assert alice.post(f"/servers/{sid}/delete/").status_code == 302
    poll_until(lambda: "server_gone" in steps(sid), what="server gone")
    wait_for(lambda: conn.block_storage.find_volume(vol.id, ignore_missing=True) is None,
             timeout=60, what="root volume deleted with the server")


def test_boot_from_a_new_volume_kept_then_from_it_and_from_its_snapshot(
        alice, cloud, networks, image_id, prefix, roots, eager_tasks, fresh_poller):
    conn = cloud.connect("alice")
    sid = launched(alice.post("/servers/launch/", _data(
        networks, prefix, image_id, name=f"{prefix}-kept", boot_source="new_volume",
        volume_size=2)))
    poll_until(lambda: "active" in steps(sid), what="ACTIVE")
    vol = root_volume(conn, sid)
    roots.append(vol.id)
    assert vol.size == 2
    assert steps(sid)["root_volume"].detail.endswith("kept after the server is deleted")
    conn.compute.delete_server(sid)
    conn.compute.wait_for_delete(conn.compute.get_server(sid), wait=60)
    vol = settled(conn, vol.id, "available")       # kept, and free again

    # the kept volume boots a second server (the form lists it as bootable)
    page = alice.get("/servers/launch/").content.decode()
    assert f'<option value="{vol.id}"' in page
    sid2 = launched(alice.post("/servers/launch/", _data(
        networks, prefix, "", name=f"{prefix}-again", boot_source="volume",
        boot_volume=vol.id)))
    ev = poll_until(lambda: {"active", "volume_attached"} <= set(steps(sid2)) and steps(sid2),
                    what="ACTIVE from the existing volume")
    assert ev["root_volume"].detail.startswith("existing volume ")
    assert root_volume(conn, sid2).id == vol.id
    conn.compute.delete_server(sid2)
    conn.compute.wait_for_delete(conn.compute.get_server(sid2), wait=60)
    settled(conn, vol.id, "available")

    # and its snapshot boots a third, on a new volume of its own
    snap = conn.block_storage.create_snapshot(volume_id=vol.id, name=f"{prefix}-snap")
    conn.block_storage.wait_for_status(snap, "available", wait=60, interval=0.3)
    sid3 = launched(alice.post("/servers/launch/", _data(
        networks, prefix, "", name=f"{prefix}-snap", boot_source="snapshot",
        boot_snapshot=snap.id, delete_on_termination="on")))
    ev = poll_until(lambda: "active" in steps(sid3) and steps(sid3), what="ACTIVE from snap")
    made = root_volume(conn, sid3)
    roots.append(made.id)
    assert made.snapshot_id == snap.id and made.id != vol.id
    assert ev["root_volume"].detail.startswith(f"new volume from snapshot {prefix}-snap")
    conn.compute.delete_server(sid3)
    conn.compute.wait_for_delete(conn.compute.get_server(sid3), wait=60)
    wait_for(lambda: conn.block_storage.find_volume(made.id, ignore_missing=True) is None,
             timeout=60, what="the snapshot's volume deleted with the server")


def test_an_image_boot_shows_no_volume_steps(alice, cloud, networks, image_id, prefix,
                                             eager_tasks, fresh_poller):
    sid = launched(alice.post("/servers/launch/", _data(networks, prefix, image_id,
                                                        boot_source="image")))
    poll_until(lambda: "active" in steps(sid), what="ACTIVE")
    assert not {"root_volume", "volume_attached"} & set(steps(sid))
    page = text(alice.get(f"/servers/{sid}/"))
    assert "Root volume" not in page


def _servers_named(conn, prefix):
    return [s for s in conn.compute.servers() if (s.name or "").startswith(prefix)]


def test_bad_boot_sources_are_refused_on_the_form_and_nothing_made(
        alice, cloud, networks, image_id, prefix, make_volume, roots):
    conn = cloud.connect("alice")
    volumes_before = {v.id for v in conn.block_storage.volumes()}
    big = conn.image.create_image(name=f"{prefix}-big", disk_format="raw",
                                  container_format="bare", data=b"\0" * 1024,
                                  visibility="private", min_disk=2)
    try:
        def refused(field, **extra):
            resp = alice.post("/servers/launch/", _data(networks, prefix, image_id,
                                                        **extra))
            assert resp.status_code == 400, resp.status_code
            return resp.content.decode().split(f'data-testid="error-{field}">', 1)[1] \
                .split("<", 1)[0]

        assert refused("volume_size", boot_source="new_volume", volume_size=0) == \
            "A volume is at least 1 GB."
        assert refused("volume_size", boot_source="new_volume", volume_size=1,
                       image=big.id) == f"The image {prefix}-big needs a volume of at " \
                                        "least 2 GB."
        assert "GB of volumes are left: this launch needs 100000 GB." in refused(
            "volume_size", boot_source="new_volume", volume_size=100000)
        plain = make_volume("alice", "-plain")            # empty: not bootable
        volumes_before.add(plain.id)
        assert "is not bootable" in refused("boot_volume", boot_source="volume",
                                            boot_volume=plain.id)
        assert refused("boot_volume", boot_source="volume") == "Choose the volume to boot " \
                                                               "from."
        # a bootable volume that is in use (a server booted from it) is not available
        sid = launched(alice.post("/servers/launch/", _data(
            networks, prefix, image_id, name=f"{prefix}-holder", boot_source="new_volume",
            volume_size=1, delete_on_termination="on")))
        conn.compute.wait_for_server(conn.compute.get_server(sid), wait=120, interval=0.5)
        held = root_volume(conn, sid)
        roots.append(held.id)
        settled(conn, held.id, "in-use")
        volumes_before.add(held.id)
        said = refused("boot_volume", boot_source="volume", boot_volume=held.id)
        assert "is in-use: a server boots only from an available volume" in said
        assert refused("boot_snapshot", boot_source="snapshot") == "Choose the snapshot to " \
                                                                   "boot from."
    finally:
        conn.image.delete_image(big, ignore_missing=True)
    assert [s.name for s in _servers_named(conn, prefix)] == [f"{prefix}-holder"]
    assert {v.id for v in conn.block_storage.volumes()} == volumes_before
