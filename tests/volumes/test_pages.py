"""Each volumes page and action, as a tenant uses them, on devcloud and the real cloud:
the list (name, size, type, status, attached to, bootable), create (empty, from an image,
a snapshot, a volume; the quota shown and checked first), extend, rename, bootable,
snapshots, attach/detach through Nova, delete; Cinder's refusals as messages in words,
audited, nothing half-made."""

import pytest

from portal.models import AuditEvent
from tests.pages import form_error, text

from .conftest import settled

pytestmark = pytest.mark.django_db


def _create(client, prefix, suffix="", **fields):
    data = {"name": f"{prefix}{suffix}", "description": "", "source": "empty", "size": 1,
            "volume_type": "__DEFAULT__", "availability_zone": "nova", **fields}
    return client.post("/volumes/create/", data)


def _messages(resp) -> str:
    return text(resp)


def test_create_shows_quota_and_makes_a_volume(as_, cloud, prefix):
    alice, conn = as_("alice"), cloud.connect("alice")
    page = alice.get("/volumes/create/")
    assert page.status_code == 200
    assert "GB" in text(page) and 'data-testid="volume-quota"' in page.content.decode()
    resp = _create(alice, prefix, "-a", description="data disk")
    assert resp.status_code == 302, form_error(resp)
    (vol,) = [v for v in conn.block_storage.volumes() if v.name == f"{prefix}-a"]
    assert resp["Location"] == f"/volumes/{vol.id}/"
    assert AuditEvent.objects.filter(action="volume.create", target__contains=vol.id).exists()
    settled(conn, vol.id)
    listed = alice.get("/volumes/").content.decode()
    assert f'id="volume-{vol.id}"' in listed and "__DEFAULT__" in listed
    detail = text(alice.get(f"/volumes/{vol.id}/"))
    assert "data disk" in detail and "1 GB" in detail


def test_bad_input_is_refused_on_the_form_and_nothing_made(as_, cloud, prefix):
    alice, conn = as_("alice"), cloud.connect("alice")
    resp = _create(alice, prefix, "-zero", size=0)
    assert resp.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in text(resp)
    resp = _create(alice, prefix, "-huge", size=100000)
    assert resp.status_code == 400
    assert "GB are left" in text(resp)
    resp = _create(alice, prefix, "-nosrc", source="snapshot")
    assert resp.status_code == 400 and "Choose the snapshot" in text(resp)
    assert not [v for v in conn.block_storage.volumes() if v.name.startswith(prefix)]


def test_extend_rename_bootable_and_refusals(as_, cloud, make_volume):
    alice, conn = as_("alice"), cloud.connect("alice")
    vol = make_volume("alice", "-x")
    url = f"/volumes/{vol.id}/"
    resp = alice.post(url + "extend/", {"new_size": 1}, follow=True)
    assert "A volume only grows: give more than 1 GB." in text(resp)
    resp = alice.post(url + "extend/", {"new_size": 2}, follow=True)
    assert "is growing to 2 GB" in text(resp)
    assert settled(conn, vol.id).size == 2
    assert AuditEvent.objects.filter(action="volume.extend", detail="1 → 2 GB").exists()
    resp = alice.post(url + "edit/", {"name": vol.name + "-renamed", "description": "d2"},
                      follow=True)
    assert "Volume saved." in text(resp)
    assert conn.block_storage.get_volume(vol.id).name == vol.name + "-renamed"
    resp = alice.post(url + "bootable/", {"bootable": "on"}, follow=True)
    assert "The volume is now bootable." in text(resp)
    assert conn.block_storage.get_volume(vol.id).is_bootable is True
    assert "yes" in text(alice.get("/volumes/")).split(vol.name + "-renamed")[1][:60]
    alice.post(url + "bootable/", {})
    assert conn.block_storage.get_volume(vol.id).is_bootable is False


def test_snapshot_then_volume_from_it_and_delete_refused_while_it_exists(
        as_, cloud, make_volume, prefix):
    alice, conn = as_("alice"), cloud.connect("alice")
    vol = make_volume("alice", "-src")
    resp = alice.post(f"/volumes/{vol.id}/snapshot/", {"name": f"{prefix}-snap"},
                      follow=True)
    assert "is being made" in text(resp)
    (snap,) = list(conn.block_storage.snapshots(volume_id=vol.id))
    conn.block_storage.wait_for_status(snap, "available", wait=60, interval=0.3)
    assert f'id="snapshot-{snap.id}"' in alice.get("/volumes/").content.decode()
    resp = alice.post(f"/volumes/{vol.id}/delete/", follow=True)
    assert "Detach it and delete its snapshots first." in text(resp)
    assert conn.block_storage.get_volume(vol.id).status == "available"
    resp = _create(alice, prefix, "-fromsnap", source="snapshot", snapshot=snap.id, size="")
    assert resp.status_code == 302, form_error(resp)
    clone = next(v for v in conn.block_storage.volumes() if v.name == f"{prefix}-fromsnap")
    assert clone.snapshot_id == snap.id and clone.size == 1
    settled(conn, clone.id)
    resp = _create(alice, prefix, "-fromvol", source="volume", volume=vol.id, size=1)
    assert resp.status_code == 302, form_error(resp)
    copy = next(v for v in conn.block_storage.volumes() if v.name == f"{prefix}-fromvol")
    assert copy.source_volume_id == vol.id
    settled(conn, copy.id)
    resp = alice.post(f"/volumes/snapshots/{snap.id}/delete/", follow=True)
    assert "is being deleted" in text(resp)
    conn.block_storage.wait_for_delete(snap, wait=60, interval=0.3)
    resp = alice.post(f"/volumes/{copy.id}/delete/", follow=True)
    assert "is being deleted" in text(resp)
    conn.block_storage.wait_for_delete(copy, wait=60, interval=0.3)
    assert AuditEvent.objects.filter(action="volume.delete", target__contains=copy.id).exists()


def test_volume_from_an_image_is_bootable(as_, cloud, prefix):
    alice, conn = as_("alice"), cloud.connect("alice")
    image = conn.image.find_image("cirros")
    resp = _create(alice, prefix, "-img", source="image", image=image.id, size="")
    assert resp.status_code == 302, form_error(resp)
    vol = next(v for v in conn.block_storage.volumes() if v.name == f"{prefix}-img")
    vol = settled(conn, vol.id)
    assert vol.is_bootable is True
    assert "cirros" in text(alice.get(f"/volumes/{vol.id}/"))


def test_attach_to_a_server_and_detach(as_, cloud, make_volume, prefix, networks, image_id):
    alice, conn = as_("alice"), cloud.connect("alice")
    vol = make_volume("alice", "-att")
    server = conn.compute.create_server(name=f"{prefix}-srv", flavor_id="1", image_id=image_id,
                                        networks=[{"uuid": networks["alice"]["network"].id}])
    server = conn.compute.wait_for_server(server, wait=120, interval=0.5)
    page = alice.get(f"/volumes/{vol.id}/").content.decode()
    assert f'<option value="{server.id}"' in page
    resp = alice.post(f"/volumes/{vol.id}/attach/", {"server": server.id}, follow=True)
    assert "as /dev/" in text(resp)
    settled(conn, vol.id, "in-use")
    listed = text(alice.get("/volumes/"))
    assert f"{prefix}-srv" in listed
    resp = alice.post(f"/volumes/{vol.id}/attach/", {"server": server.id}, follow=True)
    said = text(resp)
    assert (f"The volume cannot be attached: it is already attached to “{prefix}-srv”, and "
            "it is not a multi-attach volume") in said
    assert settled(conn, vol.id, "in-use").attachments[0]["server_id"] == server.id
    resp = alice.post(f"/volumes/{vol.id}/delete/", follow=True)
    assert "Detach it and delete its snapshots first." in text(resp)
    resp = alice.post(f"/volumes/{vol.id}/detach/{server.id}/", follow=True)
    assert "is being detached" in text(resp)
    settled(conn, vol.id, "available")
    assert AuditEvent.objects.filter(action="volume.detach").exists()


def test_the_menu_has_volumes_when_the_catalog_has_cinder(as_):
    page = as_("alice").get("/").content.decode()
    assert 'href="/volumes/"' in page


def test_server_detail_panel_attaches_and_detaches(as_, cloud, make_volume, prefix, networks,
                                                   image_id):
    alice, conn = as_("alice"), cloud.connect("alice")
    vol = make_volume("alice", "-panel")
    server = conn.compute.create_server(name=f"{prefix}-psrv", flavor_id="1",
                                        image_id=image_id,
                                        networks=[{"uuid": networks["alice"]["network"].id}])
    server = conn.compute.wait_for_server(server, wait=120, interval=0.5)
    detail = alice.get(f"/servers/{server.id}/").content.decode()
    assert f'hx-get="/volumes/server/{server.id}/"' in detail
    panel = alice.get(f"/volumes/server/{server.id}/").content.decode()
    assert "No volumes attached." in panel and f'<option value="{vol.id}"' in panel
    resp = alice.post(f"/volumes/server/{server.id}/attach/", {"volume": vol.id})
    assert resp.status_code == 302 and resp["Location"] == f"/servers/{server.id}/"
    settled(conn, vol.id, "in-use")
    panel = alice.get(f"/volumes/server/{server.id}/").content.decode()
    assert 'data-testid="device">/dev/' in panel and vol.name in panel
    resp = alice.post(f"/volumes/{vol.id}/detach/{server.id}/",
                      {"next": f"/servers/{server.id}/"})
    assert resp["Location"] == f"/servers/{server.id}/"
    settled(conn, vol.id, "available")
    # another project's server is a 404 for the panel and its attach
    bob = as_("bob")
    assert bob.get(f"/volumes/server/{server.id}/").status_code == 404
    assert bob.post(f"/volumes/server/{server.id}/attach/", {"volume": vol.id}).status_code \
        == 404


def test_the_list_pages_by_cinders_marker(as_, cloud, make_volume, monkeypatch):
    from volumes import selectors
    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    first, second = make_volume("alice", "-p1"), make_volume("alice", "-p2")
    alice = as_("alice")
    page = alice.get("/volumes/").content.decode()
    shown = [v for v in (first, second) if f'id="volume-{v.id}"' in page]
    assert len(shown) == 1   # newest first (Cinder's order), one a page
    (other,) = [v for v in (first, second) if v is not shown[0]]
    assert f'?marker={shown[0].id}" data-testid="next-page"' in page
    after = alice.get(f"/volumes/?marker={shown[0].id}").content.decode()
    assert f'id="volume-{other.id}"' in after
