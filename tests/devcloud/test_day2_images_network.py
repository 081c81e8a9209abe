"""createImage (snapshots), addSecurityGroup/removeSecurityGroup and os-interface through
openstacksdk, as the portal calls them, with what a real Nova 2026.2 answers: the snapshot's
Glance record and its queued → saving → active, the ports' groups, the addresses."""

import time
import uuid

import pytest

from .day2 import Watch, boot, connect, refused, slow_actions, wait


@pytest.fixture(scope="module")
def demo(devcloud):
    return connect(devcloud, "demo")


@pytest.fixture(scope="module")
def private(demo):
    return demo.network.find_network("private")


@pytest.fixture
def server(demo, private):
    server = boot(demo, "day2-net", network_id=private.id)
    yield server
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=30, interval=0.1)


def _image_statuses(demo, image_id: str, timeout: float = 30) -> list[str]:
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = demo.image.get_image(image_id).status
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == "active":
            return seen
        time.sleep(0.05)
    raise AssertionError(f"image {image_id} went {seen}")


def test_snapshot_becomes_a_project_image(devcloud, demo, server):
    cirros = demo.image.find_image("cirros")
    with slow_actions(devcloud), Watch(demo, server.id) as watch:
        image = demo.compute.create_server_image(server, "day2-snap", metadata={"k": "v"})
        statuses = _image_statuses(demo, image.id)
        wait(demo, server, "ACTIVE")
    try:
        assert statuses == ["queued", "saving", "active"]
        assert [t for _, _, t in watch.seen[1:]] == [
            "image_snapshot_pending", "image_snapshot", "image_pending_upload",
            "image_uploading", None]
        done = demo.image.get(f"/images/{image.id}").json()   # every property, as Glance has it
        assert (done["name"], done["visibility"], done["owner"]) == (
            "day2-snap", "private", demo.current_project_id)
        assert (done["disk_format"], done["container_format"], done["size"],
                done["min_disk"]) == ("raw", "bare", 1024, 1)
        props = done
        assert props["image_type"] == "snapshot" and props["k"] == "v"
        assert props["instance_uuid"] == server.id and props["base_image_ref"] == cirros.id
        assert props["owner_project_name"] == "demo" and props["owner_user_name"] == "demo"
        assert props["user_id"] == demo.current_user_id
        assert next(demo.compute.server_actions(server)).action == "createImage"
        # a snapshot boots like any image of the project
        again = boot(demo, "from-snap", image_id=image.id)
        assert again.image.id == image.id
        demo.compute.delete_server(again)
        demo.compute.wait_for_delete(again, wait=30, interval=0.1)
    finally:
        demo.image.delete_image(image)


def test_snapshot_answer_follows_the_microversion(demo, server):
    made = []
    try:
        new = demo.compute.post(f"/servers/{server.id}/action", microversion="2.45",
                                json={"createImage": {"name": "day2-new"}})
        assert new.status_code == 202 and set(new.json()) == {"image_id"}
        made.append(new.json()["image_id"])
        wait(demo, server, "ACTIVE")
        old = demo.compute.post(f"/servers/{server.id}/action", microversion="2.1",
                                json={"createImage": {"name": "day2-old"}})
        assert old.status_code == 202 and not old.content
        made.append(old.headers["Location"].rsplit("/", 1)[-1])
        assert demo.image.get_image(made[-1]).name == "day2-old"
        wait(demo, server, "ACTIVE")
    finally:
        for image_id in made:
            demo.image.delete_image(image_id)


def test_snapshot_refusals_leave_no_image(demo, server):
    before = {i.id for i in demo.image.images()}
    refused(lambda: demo.compute.create_server_image(server, ""), 400,
            "Invalid input for field/attribute name. Value: . '' should be non-empty")
    demo.compute.shelve_server(server)
    wait(demo, server, "SHELVED_OFFLOADED")
    refused(lambda: demo.compute.create_server_image(server, "x"), 409,
            f"Cannot 'createImage' instance {server.id} while it is in vm_state "
            "shelved_offloaded")
    demo.compute.unshelve_server(server)
    wait(demo, server, "ACTIVE")
    assert {i.id for i in demo.image.images()} == before


def test_a_server_deleted_while_its_snapshot_uploads_leaves_no_image(devcloud, demo, private):
    victim = boot(demo, "day2-snapdel", network_id=private.id)
    with slow_actions(devcloud):
        image = demo.compute.create_server_image(victim, "day2-cut-short")
        demo.compute.delete_server(victim)
        demo.compute.wait_for_delete(victim, wait=30, interval=0.1)
    assert demo.image.find_image(image.id) is None


def test_add_and_remove_a_security_group(demo, server):
    group = demo.network.create_security_group(name=f"day2-sg-{uuid.uuid4().hex[:6]}")
    try:
        updated = demo.compute.get_server(server.id).updated_at
        time.sleep(1.1)   # `updated` counts seconds: a change now would show
        demo.compute.add_security_group_to_server(server, group)
        assert demo.compute.get_server(server.id).updated_at == updated
        names = sorted(g["name"] for g in demo.compute.get_server(server).security_groups)
        assert names == sorted(["default", group.name])
        (port,) = demo.network.ports(device_id=server.id)
        assert group.id in port.security_group_ids
        duplicate = refused(lambda: demo.compute.add_security_group_to_server(server, group),
                            400, None)
        assert duplicate["badRequest"]["message"].startswith(
            "Invalid input for security_groups. Reason: Duplicate items in the list: "
            f"'{group.id}'.\nNeutron server returns request_ids: ['req-")
        demo.compute.remove_security_group_from_server(server, group)
        assert [g["name"] for g in demo.compute.get_server(server).security_groups] == [
            "default"]
        refused(lambda: demo.compute.remove_security_group_from_server(server, group), 404,
                f"Security group {group.name} not associated with the instance {server.id}")
        refused(lambda: demo.compute.add_security_group_to_server(server, {"name": "nosuch"}),
                404, f"Security group nosuch is not found for project "
                     f"{demo.current_project_id}")
    finally:
        demo.network.delete_security_group(group)


def test_a_server_without_groups_shows_none(demo, server):
    demo.compute.remove_security_group_from_server(server, {"name": "default"})
    # (by id: fetching into the Server object itself would keep the groups it had)
    assert demo.compute.get_server(server.id).security_groups is None
    demo.compute.add_security_group_to_server(server, {"name": "default"})
    assert demo.compute.get_server(server).security_groups == [{"name": "default"}]


def test_attach_and_detach_interfaces(demo, server, private):
    (first,) = demo.compute.server_interfaces(server)
    assert first.port_state == "ACTIVE" and first.net_id == private.id
    updated = demo.compute.get_server(server.id).updated_at
    time.sleep(1.1)   # `updated` counts seconds: a change now would show
    added = demo.compute.create_server_interface(server, net_id=private.id)
    # Nova changes the ports, not the server's record: changes-since does not see it
    assert demo.compute.get_server(server.id).updated_at == updated
    assert added.port_state == "ACTIVE" and added.net_id == private.id
    own = demo.network.create_port(network_id=private.id, name="day2-own")
    try:
        by_port = demo.compute.create_server_interface(server, port_id=own.id)
        assert by_port.port_id == own.id
        refused(lambda: demo.compute.create_server_interface(server, port_id=own.id), 409,
                f"Port {own.id} is still in use.")
        ports = {i.port_id for i in demo.compute.server_interfaces(server)}
        assert ports == {first.port_id, added.port_id, own.id}
        addresses = [a["addr"] for a in demo.compute.get_server(server).addresses["private"]]
        assert len(addresses) == 3
        demo.compute.delete_server_interface(own.id, server=server)
        left = demo.network.get_port(own.id)
        assert (left.device_id, left.device_owner, left.status) == ("", "", "DOWN")
        demo.compute.delete_server_interface(added.port_id, server=server)
        assert demo.network.find_port(added.port_id) is None   # Nova made it: deleted
        assert [i.port_id for i in demo.compute.server_interfaces(server)] == [first.port_id]
        actions = [(a.action, a.message) for a in demo.compute.server_actions(server)][:5]
        assert actions == [("detach_interface", None)] * 2 + [
            ("attach_interface", "Error"),        # the port already in use, as in Nova
            ("attach_interface", None), ("attach_interface", None)]
    finally:
        demo.network.delete_port(own)


def test_interface_refusals(demo, server, private):
    missing = str(uuid.uuid4())
    refused(lambda: demo.compute.create_server_interface(server, port_id=missing), 404,
            f"Port id {missing} could not be found.")
    refused(lambda: demo.compute.create_server_interface(server, net_id=private.id,
                                                         port_id=missing), 400,
            "Must not input both network_id and port_id")
    demo.compute.shelve_server(server)
    wait(demo, server, "SHELVED_OFFLOADED")
    refused(lambda: demo.compute.create_server_interface(server, net_id=private.id), 409,
            f"Cannot 'attach_interface' instance {server.id} while it is in vm_state "
            "shelved_offloaded")
    (port,) = demo.compute.server_interfaces(server)
    assert port.port_state == "DOWN"   # unbound while offloaded
    demo.compute.unshelve_server(server)
    wait(demo, server, "ACTIVE")
    assert [i.port_state for i in demo.compute.server_interfaces(server)] == ["ACTIVE"]
