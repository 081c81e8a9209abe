"""Who may reach what: every volumes URL answers 404 for another project's volume or
snapshot (an admin's token could read them all); readers see, never change (403);
helpdesk changes nothing; an id that cannot be one is a 404 before Cinder is asked."""

import pytest

pytestmark = pytest.mark.django_db

CHANGES = [("extend/", {"new_size": 5}), ("edit/", {"name": "x"}),
           ("bootable/", {"bootable": "on"}), ("snapshot/", {"name": "x"}),
           ("delete/", {})]


@pytest.mark.parametrize("who", ["bob", "admin"])
def test_another_projects_volume_is_404_on_every_url(as_, make_volume, cloud, who):
    vol = make_volume("alice", "-private")
    snap = cloud.connect("alice").block_storage.create_snapshot(volume_id=vol.id,
                                                                name=vol.name + "-s")
    cloud.connect("alice").block_storage.wait_for_status(snap, "available", wait=60,
                                                         interval=0.3)
    client = as_(who)
    assert client.get(f"/volumes/{vol.id}/").status_code == 404
    for path, data in CHANGES + [("attach/", {"server": "x"})]:
        assert client.post(f"/volumes/{vol.id}/{path}", data).status_code == 404, path
    assert client.post(f"/volumes/snapshots/{snap.id}/delete/").status_code == 404
    assert vol.id not in client.get("/volumes/").content.decode()
    still = cloud.connect("alice").block_storage.get_volume(vol.id)
    assert (still.size, still.name, still.is_bootable) == (1, vol.name, False)


def test_readers_see_and_change_nothing(as_, make_volume, cloud):
    vol = make_volume("demo", "-mine")
    reader = as_("reader")
    listed = reader.get("/volumes/").content.decode()
    assert f'id="volume-{vol.id}"' in listed and "Create volume" not in listed
    detail = reader.get(f"/volumes/{vol.id}/").content.decode()
    assert 'data-testid="delete"' not in detail and "extend-form" not in detail
    for path, data in CHANGES:
        assert reader.post(f"/volumes/{vol.id}/{path}", data).status_code == 403, path
    assert reader.get("/volumes/create/").status_code == 403
    assert cloud.connect("demo").block_storage.get_volume(vol.id).size == 1


def test_helpdesk_changes_nothing(as_, make_volume, cloud):
    vol = make_volume("admin", "-hd")
    helpdesk = as_("helpdesk")
    for path, data in CHANGES:
        assert helpdesk.post(f"/volumes/{vol.id}/{path}", data).status_code == 403, path
    assert helpdesk.get("/volumes/create/").status_code == 403
    assert cloud.connect("admin").block_storage.get_volume(vol.id).status == "available"


def test_an_id_that_cannot_be_one_is_404(as_):
    assert as_("alice").get("/volumes/" + "x" * 300 + "/").status_code == 404
