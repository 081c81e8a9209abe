"""Attach refusals on both clouds, each said where it was asked and nothing half-made:

- a volume that is not multi-attach, attached to one server, asked for another: Nova's
  400 ("volume <id> is already attached to instances: <id>", compute/api.py
  _check_volume_already_attached), said with the holder's name;
- a volume in another availability zone: real Nova allows it (`[cinder] cross_az_attach`
  defaults to True and ../shared/realcloud's nova.conf leaves it), so the portal invents
  no refusal; neither cloud can even make such a volume: Cinder has one zone (`nova`) and
  refuses another in its words.
"""

import pytest
from openstack import exceptions

from tests.pages import text

from .conftest import settled

pytestmark = pytest.mark.django_db


def _server(conn, name, image_id, network_id):
    made = conn.compute.create_server(name=name, flavor_id="1", image_id=image_id,
                                      networks=[{"uuid": network_id}])
    return conn.compute.wait_for_server(made, wait=120, interval=0.5)


def test_a_volume_held_by_another_server_is_refused_with_its_name(
        as_, cloud, make_volume, prefix, networks, image_id):
    alice, conn = as_("alice"), cloud.connect("alice")
    net = networks["alice"]["network"].id
    vol = make_volume("alice", "-held")
    first = _server(conn, f"{prefix}-first", image_id, net)
    second = _server(conn, f"{prefix}-second", image_id, net)
    conn.compute.create_volume_attachment(first, volume_id=vol.id)
    settled(conn, vol.id, "in-use")
    resp = alice.post(f"/volumes/{vol.id}/attach/", {"server": second.id}, follow=True)
    said = text(resp)
    assert (f"The volume cannot be attached: it is already attached to “{prefix}-first”, "
            "and it is not a multi-attach volume (it serves one server at a time). Detach it "
            "there first.") in said
    held = conn.block_storage.get_volume(vol)
    assert held.status == "in-use"
    assert [a["server_id"] for a in held.attachments] == [first.id]
    assert list(conn.compute.volume_attachments(second)) == []


def test_no_volume_can_be_made_in_another_zone(cloud, prefix):
    bs = cloud.connect("alice").block_storage
    with pytest.raises(exceptions.BadRequestException) as info:
        bs.create_volume(size=1, name=f"{prefix}-az", availability_zone=f"{prefix}-zone")
    assert f"Availability zone '{prefix}-zone' is invalid." in str(info.value)
    zones = [z.name for z in bs.availability_zones()]
    assert zones == ["nova"]
