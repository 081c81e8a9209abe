"""The attachment Nova makes is a Cinder attachment record too: listed by /attachments
as attached, and only Nova may take it away. What the real Cinder 29 answered a member
who tried (a cirros server on ../shared/realcloud, the volume attached through Nova):

    DELETE /attachments/<id>                      409 conflictingRequest
    os-detach {attachment_id} / os-detach {}      409 "ConflictNovaUsingAttachment: Detach
    os-terminate_connection {connector}           volume from instance <server> using the
                                                  Compute API"

(cinder/volume/api.py attachment_deletion_allowed, bug #2004555); the volume stays in-use.
"""

import pytest

from .day2 import boot, connect, refused
from .test_volume import raw


@pytest.fixture(scope="module")
def demo(devcloud):
    return connect(devcloud, "demo")


@pytest.fixture
def held(demo):
    """A volume attached to a server through Nova: (volume id, server id)."""
    bs = demo.block_storage
    vol = bs.wait_for_status(bs.create_volume(size=1, name="t-held"), "available", wait=30,
                             interval=0.05)
    server = boot(demo, "t-held", network_id=demo.network.find_network("private").id)
    demo.compute.create_volume_attachment(server, volume_id=vol.id)
    bs.wait_for_status(vol, "in-use", wait=30, interval=0.05)
    yield vol.id, server.id
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=30, interval=0.05)
    bs.wait_for_status(vol, "available", wait=30, interval=0.05)
    bs.delete_volume(vol)


def test_novas_attachment_is_listed_and_only_nova_may_remove_it(demo, held):
    volume_id, server_id = held
    bs, mv = demo.block_storage, {"OpenStack-API-Version": "volume 3.44"}
    listed = raw(bs, "GET", f"/attachments/detail?volume_id={volume_id}", headers=mv)
    (att,) = listed["attachments"]
    assert (att["status"], att["instance"], att["attach_mode"]) == ("attached", server_id,
                                                                    "rw")
    assert att["connection_info"]["attachment_id"] == att["id"]
    said = (f"ConflictNovaUsingAttachment: Detach volume from instance {server_id} using "
            "the Compute API")
    refused(lambda: raw(bs, "DELETE", f"/attachments/{att['id']}", headers=mv), 409, said)
    for action in ({"os-detach": {"attachment_id": att["id"]}}, {"os-detach": {}},
                   {"os-terminate_connection": {"connector": {"host": "x"}}}):
        refused(lambda action=action: raw(bs, "POST", f"/volumes/{volume_id}/action", action),
                409, said)
    assert bs.get_volume(volume_id).status == "in-use"
    # Nova's own detach still works, and the record goes with it
    demo.compute.delete_volume_attachment(server_id, volume_id)
    bs.wait_for_status(bs.get_volume(volume_id), "available", wait=30, interval=0.05)
    assert raw(bs, "GET", f"/attachments?volume_id={volume_id}", headers=mv) == {
        "attachments": []}


def test_a_reader_may_not_reserve(devcloud, demo):
    bs, reader = demo.block_storage, connect(devcloud, "reader")
    vol = bs.wait_for_status(bs.create_volume(size=1, name="t-reader"), "available",
                             wait=30, interval=0.05)
    try:
        refused(lambda: raw(reader.block_storage, "POST", "/attachments",
                            {"attachment": {"volume_uuid": vol.id}},
                            headers={"OpenStack-API-Version": "volume 3.27"}), 403,
                "Policy doesn't allow volume:attachment_create to be performed.")
        refused(lambda: raw(reader.block_storage, "POST", f"/volumes/{vol.id}/action",
                            {"os-reserve": {}}), 403,
                "Policy doesn't allow volume_extension:volume_actions:reserve to be "
                "performed.")
        assert bs.get_volume(vol).status == "available"
    finally:
        bs.delete_volume(vol)


def test_an_attachment_made_through_cinder_for_a_server_is_not_novas(demo, held):
    """Cinder asks Nova whether the server has the volume: one a client attached through
    the attachments API alone is not in Nova's mappings, so the client may delete it."""
    _, server_id = held
    bs, mv = demo.block_storage, {"OpenStack-API-Version": "volume 3.44"}
    vol = bs.wait_for_status(bs.create_volume(size=1, name="t-own"), "available", wait=30,
                             interval=0.05)
    try:
        att = raw(bs, "POST", "/attachments", {"attachment": {
            "volume_uuid": vol.id, "instance_uuid": server_id,
            "connector": {"host": "t-host", "mountpoint": "/dev/vdc"}}}, headers=mv)
        att_id = att["attachment"]["id"]
        raw(bs, "POST", f"/attachments/{att_id}/action", {"os-complete": {}}, headers=mv)
        assert bs.get_volume(vol).status == "in-use"
        shown = demo.compute.get_server(server_id)        # not in Nova's mappings
        assert vol.id not in [v["id"] for v in shown.attached_volumes]
        assert vol.id not in [a.volume_id for a in demo.compute.volume_attachments(server_id)]
        assert raw(bs, "DELETE", f"/attachments/{att_id}", headers=mv) == {"attachments": []}
        assert bs.get_volume(vol).status == "available"
    finally:
        bs.delete_volume(vol)
