"""devcloud's Cinder v3 through openstacksdk's block_storage (what the portal calls), with
what the real Cinder 29 of ../shared/realcloud answered to the same calls: the catalog
entry, status sequences over the build delay, refusals in Cinder's words, Nova's
os-volume_attachments and volumes_attached, access between projects and roles."""

import time

import pytest
from openstack import exceptions

from .day2 import boot, connect, refused, slow_actions

MV = {"OpenStack-API-Version": "volume 3.70"}
NOT_DELETABLE = ("Invalid volume: Volume status must be available or error or error_restoring "
                 "or error_extending or error_managing and must not be migrating, attached, "
                 "belong to a group, have snapshots, awaiting a transfer, or be disassociated "
                 "from snapshots after volume transfer.")


@pytest.fixture(scope="module")
def demo(devcloud):
    return connect(devcloud, "demo")


@pytest.fixture
def volume(demo):
    vol = demo.block_storage.create_volume(size=1, name="t-vol")
    vol = demo.block_storage.wait_for_status(vol, "available", wait=30, interval=0.05)
    yield vol
    _gone(demo, vol.id)


def raw(proxy, method: str, path: str, body=None, headers=MV):
    """One call as the SDK sends it, its error answer raised (the proxy's own does not)."""
    resp = proxy.request(path, method, json=body, headers=headers)
    exceptions.raise_from_response(resp)
    return resp.json() if resp.content else None


def _gone(conn, volume_id):
    bs = conn.block_storage
    for snap in bs.snapshots(volume_id=volume_id):
        bs.delete_snapshot(snap)
        bs.wait_for_delete(snap, wait=30, interval=0.05)
    vol = bs.find_volume(volume_id)
    if vol is not None:
        bs.wait_for_status(vol, "available", failures=["error"], wait=30, interval=0.05)
        bs.delete_volume(vol)
        bs.wait_for_delete(vol, wait=30, interval=0.05)


def _statuses(conn, volume_id, until: str, timeout: float = 30) -> list[str]:
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = conn.block_storage.find_volume(volume_id)
        status = found.status if found else "gone"
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == until:
            return seen
        time.sleep(0.02)
    raise AssertionError(f"{volume_id} went {seen}")


def test_catalog_names_cinder_with_the_project(demo):
    endpoint = demo.block_storage.get_endpoint()
    assert endpoint.endswith(f"/volume/v3/{demo.current_project_id}")
    entry = next(e for e in demo.session.auth.get_access(demo.session).service_catalog.catalog
                 if e["type"] == "volumev3")
    assert entry["name"] == "cinderv3"


def test_create_extend_snapshot_delete_walk_cinders_states(devcloud, demo):
    bs = demo.block_storage
    with slow_actions(devcloud, 1.0):
        vol = bs.create_volume(size=1, name="t-walk", description="d")
        assert vol.status == "creating"
        assert _statuses(demo, vol.id, "available") == ["creating", "available"]
        bs.extend_volume(vol, 2)
        assert _statuses(demo, vol.id, "available") == ["extending", "available"]
        assert bs.get_volume(vol).size == 2
        snap = bs.create_snapshot(volume_id=vol.id, name="t-snap")
        assert snap.status == "creating" and snap.size == 2
        snap = bs.wait_for_status(snap, "available", wait=30, interval=0.05)
        refused(lambda: bs.delete_volume(vol), 400, NOT_DELETABLE)
        clone = bs.create_volume(snapshot_id=snap.id, name="t-clone")
        assert clone.size == 2 and clone.snapshot_id == snap.id
        bs.wait_for_status(clone, "available", wait=30, interval=0.05)
        bs.delete_volume(clone)
        bs.delete_snapshot(snap)
        bs.wait_for_delete(snap, wait=30, interval=0.05)
        bs.delete_volume(vol)
        assert _statuses(demo, vol.id, "gone") == ["deleting", "gone"]
        bs.wait_for_delete(clone, wait=30, interval=0.05)


def test_refusals_in_cinders_words(demo, volume):
    bs = demo.block_storage

    def post(body):
        return lambda: raw(bs, "POST", "/volumes", {"volume": body})
    refused(post({"size": 0}), 400, "Invalid input for field/attribute size. Value: 0. 0 is "
                                    "less than the minimum of 1")
    refused(post({"size": 2000}), 413, None)
    body = bs.post("/volumes", json={"volume": {"size": 2000}}, headers=MV).json()  # as sent
    assert body == {"overLimit": {
        "code": 413, "retryAfter": "0",
        "message": "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds "
                   "allowed gigabytes quota. Requested 2000G, quota is 1000G and 1G has been "
                   "consumed."}}
    refused(post({"size": 1, "volume_type": "nope"}), 404,
            "Volume type with name nope could not be found.")
    refused(post({"size": 1, "availability_zone": "nope"}), 400,
            "Availability zone 'nope' is invalid.")
    refused(post({"size": 1, "imageRef": "nope"}), 400,
            "Invalid image identifier or unable to access requested image.")
    refused(post({"size": 1, "snapshot_id": "nope"}), 400,
            "Invalid input for field/attribute snapshot_id. Value: nope. 'nope' is not valid "
            "under any of the given schemas")

    def action(body):
        return lambda: raw(bs, "POST", f"/volumes/{volume.id}/action", body)
    refused(action({"os-extend": {"new_size": 1}}), 400,
            "Invalid input received: New size for extend must be greater than current size. "
            "(current: 1, extended: 1).")
    refused(action({"os-set_bootable": {"bootable": "maybe"}}), 400, None)
    refused(lambda: raw(bs, "GET", "/volumes/nope"), 404, "Volume nope could not be found.")
    refused(lambda: raw(bs, "GET", "/snapshots/nope"), 404,
            "Snapshot nope could not be found.")
    refused(lambda: raw(bs, "GET", "/volumes/detail?changes-since=2020-01-01T00:00:00Z"),
            400, "Invalid filters changes-since are found in query options.")


def test_volume_from_image_is_bootable_with_its_metadata(demo):
    bs = demo.block_storage
    image = demo.image.find_image("cirros")
    vol = bs.create_volume(size=1, image_id=image.id, name="t-img")
    try:
        vol = bs.wait_for_status(vol, "available", wait=30, interval=0.05)
        assert vol.is_bootable is True
        assert vol.volume_image_metadata["image_id"] == image.id
        bs.set_volume_bootable_status(vol, False)
        assert bs.get_volume(vol).is_bootable is False
    finally:
        _gone(demo, vol.id)


def test_attach_and_detach_through_nova(devcloud, demo, volume):
    private = demo.network.find_network("private")
    server = boot(demo, "t-vol-srv", network_id=private.id)
    bs = demo.block_storage
    try:
        with slow_actions(devcloud, 1.0):
            attachment = demo.compute.create_volume_attachment(server, volume_id=volume.id)
            assert attachment.device == "/dev/sdb"
            assert _statuses(demo, volume.id, "in-use") == ["reserved", "attaching", "in-use"]
        vol = bs.get_volume(volume)
        (att,) = vol.attachments
        assert (att["server_id"], att["device"]) == (server.id, "/dev/sdb")
        shown = demo.compute.get_server(server)
        assert [v["id"] for v in shown.attached_volumes] == [volume.id]
        refused(lambda: demo.compute.create_volume_attachment(server, volume_id=volume.id),
                400, f"Invalid volume: volume {volume.id} is already attached to instances: "
                     f"{server.id}")
        refused(lambda: bs.delete_volume(volume), 400, NOT_DELETABLE)
        refused(lambda: raw(bs, "POST", f"/volumes/{volume.id}/action",
                            {"os-extend": {"new_size": 2}},
                            {"OpenStack-API-Version": "volume 3.0"}), 400,
                f"Invalid volume: Volume {volume.id} status must be "
                "'{'status': 'available'}' to extend, currently in-use.")
        refused(lambda: raw(bs, "POST", "/snapshots", {"snapshot": {"volume_id": volume.id}},
                            {"OpenStack-API-Version": "volume 3.0"}), 400,
                f"Invalid volume: Volume {volume.id} status must be available, but current "
                "status is: in-use.")
        with slow_actions(devcloud, 1.0):
            demo.compute.delete_volume_attachment(server, volume.id)
            assert _statuses(demo, volume.id, "available") == ["detaching", "available"]
        refused(lambda: demo.compute.delete_volume_attachment(server, volume.id,
                                                          ignore_missing=False), 404,
                f"Instance {server.id} is not attached to volume {volume.id}")
        assert demo.compute.get_server(server).attached_volumes == []
    finally:
        demo.compute.delete_server(server)
        demo.compute.wait_for_delete(server, wait=30, interval=0.05)


def test_server_delete_detaches_its_volumes(demo, volume):
    private = demo.network.find_network("private")
    server = boot(demo, "t-vol-del", network_id=private.id)
    demo.compute.create_volume_attachment(server, volume_id=volume.id)
    demo.block_storage.wait_for_status(volume, "in-use", wait=30, interval=0.05)
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=30, interval=0.05)
    vol = demo.block_storage.get_volume(volume)
    assert (vol.status, vol.attachments) == ("available", [])


def test_other_projects_and_roles(devcloud, demo, volume):
    bob, reader = connect(devcloud, "bob"), connect(devcloud, "reader")
    refused(lambda: raw(bob.block_storage, "GET", f"/volumes/{volume.id}"), 404,
            f"Volume {volume.id} could not be found.")
    assert volume.id not in [v.id for v in bob.block_storage.volumes()]
    # a member's all_tenants is ignored; an admin's lists every project's
    assert volume.id not in [v.id for v in bob.block_storage.volumes(all_projects=True)]
    admin = connect(devcloud, "admin")
    assert volume.id in [v.id for v in admin.block_storage.volumes(all_projects=True)]
    assert reader.block_storage.get_volume(volume.id).id == volume.id
    refused(lambda: reader.block_storage.create_volume(size=1), 403,
            "Policy doesn't allow volume:create to be performed.")
    refused(lambda: reader.block_storage.delete_volume(volume.id), 403,
            "Policy doesn't allow volume:delete to be performed.")


def test_paging_and_updated_at_filter(demo, volume):
    bs = demo.block_storage
    other = bs.wait_for_status(bs.create_volume(size=1, name="t-page"), "available",
                               wait=30, interval=0.05)
    try:
        # Newest first, then by id (Cinder keeps seconds: two made in one second tie).
        first, second = sorted([other, volume], key=lambda v: (v.created_at, v.id),
                               reverse=True)
        body = raw(bs, "GET", "/volumes/detail?limit=1")
        assert [v["id"] for v in body["volumes"]] == [first.id]
        assert "marker=" + first.id in body["volumes_links"][0]["href"]
        after = raw(bs, "GET", f"/volumes/detail?limit=1&marker={first.id}")
        assert [v["id"] for v in after["volumes"]] == [second.id]
        since = raw(bs, "GET", f"/volumes/detail?updated_at=gt:{other.updated_at}")
        assert other.id not in [v["id"] for v in since["volumes"]]
        quota = raw(bs, "GET",
                    f"/os-quota-sets/{demo.current_project_id}?usage=True")["quota_set"]
        assert quota["volumes"]["in_use"] == 2 and quota["gigabytes"]["in_use"] == 2
    finally:
        _gone(demo, other.id)
