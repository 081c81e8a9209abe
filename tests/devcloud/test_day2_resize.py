"""resize / confirmResize / revertResize and rebuild through openstacksdk, as the portal
calls them: Nova's task_state sequences, the flavor embedded in the server changing, the
quota check on what grows, and the 400/403/409 bodies a real Nova 2026.2 answers."""

import uuid

import pytest

from .day2 import Watch, boot, connect, refused, slow_actions, wait


@pytest.fixture(scope="module")
def demo(devcloud):
    return connect(devcloud, "demo")


@pytest.fixture(scope="module")
def admin(devcloud):
    return connect(devcloud, "admin")


@pytest.fixture(scope="module")
def flavors(admin):
    """Two small flavors and one past demo's 20-core quota (deleted afterwards)."""
    tag = uuid.uuid4().hex[:6]
    made = [admin.compute.create_flavor(name=f"{name}-{tag}", ram=ram, vcpus=vcpus, disk=1)
            for name, ram, vcpus in (("rs-a", 256, 1), ("rs-b", 512, 2), ("rs-huge", 1024, 64))]
    yield made
    for flavor in made:
        admin.compute.delete_flavor(flavor)


@pytest.fixture
def server(demo, flavors):
    server = boot(demo, "day2-resize", flavor=flavors[0].name)
    yield server
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=30, interval=0.1)


RESIZE_STEPS = ["resize_prep", "resize_migrating", "resize_migrated", "resize_finish"]


def test_resize_then_confirm_keeps_the_new_flavor(devcloud, demo, server, flavors):
    small, bigger, _ = flavors
    with slow_actions(devcloud), Watch(demo, server.id) as watch:
        demo.compute.resize_server(server, bigger.id)
        verify = wait(demo, server, "VERIFY_RESIZE")
    assert watch.seen[1:] == [("RESIZE", "active", t) for t in RESIZE_STEPS] + [
        ("VERIFY_RESIZE", "resized", None)]
    assert (verify.flavor.original_name, verify.flavor.vcpus, verify.flavor.ram) == (
        bigger.name, 2, 512)
    usage = demo.compute.get_limits().absolute
    assert (usage.total_cores_used, usage.total_ram_used) == (2, 512)
    for call, action in ((lambda: demo.compute.resize_server(server, small.id), "resize"),
                         (lambda: demo.compute.pause_server(server), "pause"),
                         (lambda: demo.compute.stop_server(server), "stop")):
        refused(call, 409, f"Cannot '{action}' instance {server.id} while it is in "
                           "vm_state resized")
    demo.compute.confirm_server_resize(server)
    confirmed = wait(demo, server, "ACTIVE")
    assert confirmed.flavor.original_name == bigger.name
    actions = [a.action for a in demo.compute.server_actions(server)]
    assert actions[:2] == ["confirmResize", "resize"]


def test_revert_resize_brings_the_old_flavor_back(devcloud, demo, server, flavors):
    small, bigger, _ = flavors
    demo.compute.resize_server(server, bigger.id)
    wait(demo, server, "VERIFY_RESIZE")
    with slow_actions(devcloud), Watch(demo, server.id) as watch:
        demo.compute.revert_server_resize(server)
        reverted = wait(demo, server, "ACTIVE")
    assert watch.seen[1:] == [("REVERT_RESIZE", "resized", "resize_reverting"),
                              ("ACTIVE", "active", None)]
    assert reverted.flavor.original_name == small.name and reverted.flavor.vcpus == 1
    assert demo.compute.get_limits().absolute.total_cores_used == 1


def test_a_stopped_server_resizes_and_stays_stopped(demo, server, flavors):
    demo.compute.stop_server(server)
    wait(demo, server, "SHUTOFF")
    demo.compute.resize_server(server, flavors[1].id)
    assert wait(demo, server, "VERIFY_RESIZE").power_state == 4
    demo.compute.revert_server_resize(server)
    assert wait(demo, server, "SHUTOFF").flavor.original_name == flavors[0].name


def test_resize_refusals(demo, server, flavors):
    small, _, huge = flavors
    refused(lambda: demo.compute.resize_server(server, small.id), 400,
            "When resizing, instances must change flavor!")
    refused(lambda: demo.compute.resize_server(server, "nosuch"), 400,
            "Flavor nosuch could not be found.")
    refused(lambda: demo.compute.resize_server(server, huge.id), 403,
            "Quota exceeded for cores: Requested 63, but already used 1 of 20 cores")
    refused(lambda: demo.compute.confirm_server_resize(server), 409,
            f"Cannot 'confirmResize' instance {server.id} while it is in vm_state active")
    refused(lambda: demo.compute.revert_server_resize(server), 409,
            f"Cannot 'revertResize' instance {server.id} while it is in vm_state active")
    assert demo.compute.get_server(server).status == "ACTIVE"


def test_rebuild_with_a_name_and_key(devcloud, demo, server):
    key = demo.compute.create_keypair(name=f"rb-{uuid.uuid4().hex[:6]}")
    try:
        cirros = demo.image.find_image("cirros")
        with slow_actions(devcloud), Watch(demo, server.id) as watch:
            rebuilt = demo.compute.rebuild_server(server, cirros.id, name="day2-rebuilt",
                                                  key_name=key.name)
            assert rebuilt.status == "REBUILD" and rebuilt.admin_password
            done = wait(demo, server, "ACTIVE")
        assert watch.seen[1:] == [
            ("REBUILD", "active", t)
            for t in ("rebuilding", "rebuild_block_device_mapping", "rebuild_spawning")] + [
            ("ACTIVE", "active", None)]
        assert (done.name, done.key_name, done.image.id) == ("day2-rebuilt", key.name,
                                                             cirros.id)
        assert demo.compute.server_actions(server).__next__().action == "rebuild"
    finally:
        demo.compute.delete_keypair(key)


def test_rebuild_refusals(demo, server):
    missing = str(uuid.uuid4())
    refused(lambda: demo.compute.rebuild_server(server, missing), 400,
            "Cannot find image for rebuild")
    cirros = demo.image.find_image("cirros")
    refused(lambda: demo.compute.rebuild_server(server, cirros.id, key_name="nokey"), 400,
            "Invalid key_name provided.")
    demo.compute.lock_server(server)
    try:
        refused(lambda: demo.compute.rebuild_server(server, cirros.id), 409,
                f"Instance {server.id} is locked")
        refused(lambda: demo.compute.resize_server(server, "2"), 409,
                f"Instance {server.id} is locked")
    finally:
        demo.compute.unlock_server(server)
    assert demo.compute.get_server(server).name == "day2-resize"


def test_rebuild_of_a_stopped_server_ends_stopped(demo, server):
    demo.compute.stop_server(server)
    wait(demo, server, "SHUTOFF")
    demo.compute.rebuild_server(server, demo.image.find_image("cirros").id)
    assert wait(demo, server, "SHUTOFF").vm_state == "stopped"
