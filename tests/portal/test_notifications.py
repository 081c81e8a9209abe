"""The notification listener on both clouds: on the real cloud's RabbitMQ (Nova, Neutron
and Cinder send their notifications there, driver messagingv2), or on devcloud started with
--notifications on a RabbitMQ virtual host of the module's own (so neither the real
cloud's traffic nor another run's devcloud reaches the listener): a network, a port, a
volume and a server made with openstacksdk reach the listener as the services' own
notifications and kick the networks, servers and volumes polls; while it listens the
pollers only reconcile, and when it stops they take over again by themselves, as its
--status says."""

import json
import threading
import time
import uuid
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from kombu import Connection

from devcloud import testing
from networks import pollstate as networks_poll
from portal import notifications
from portal.management.commands import listen_notifications
from tests import bus
from tests.conftest import DEVCLOUD_ACCOUNTS, CloudTarget
from vms import pollstate as vms_poll
from volumes import pollstate as volumes_poll

BUS = bus.SHARED


def wait_for(predicate, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.fixture(scope="module")
def notifying(cloud, tmp_path_factory):
    """A cloud that sends its notifications to a bus, and the bus: the real cloud and its
    RabbitMQ, or a devcloud of the module's own started with --notifications on a virtual
    host of its own."""
    if not bus.reachable():
        pytest.skip("no RabbitMQ at 127.0.0.1:5672 (the real cloud's bus)")
    if not cloud.is_devcloud:
        yield SimpleNamespace(url=BUS, cloud=cloud)
        return
    if not bus.can_make_vhosts():
        pytest.skip("a devcloud's notifications need a RabbitMQ virtual host (rabbitmqctl)")
    with bus.vhost() as url, testing.running(
            tmp_path_factory.mktemp("devcloud-bus") / "state", "--build-delay", "0.5",
            "--notifications", url) as running:
        yield SimpleNamespace(url=url, cloud=CloudTarget(
            name="devcloud", auth_url=running.auth_url, clouds_yaml=running.clouds_yaml,
            service_cloud="devcloud-portal", accounts=DEVCLOUD_ACCOUNTS, devcloud=running))


@pytest.fixture
def listener(request, settings):
    """listen_notifications in a thread, on a queue of the test's own (deleted after), on
    the `notifying` cloud's bus when the test uses one."""
    if not bus.reachable():
        pytest.skip("no RabbitMQ at 127.0.0.1:5672 (the real cloud's bus)")
    url = request.getfixturevalue("notifying").url \
        if "notifying" in request.fixturenames else BUS
    queue = f"stackport-test-{uuid.uuid4().hex[:8]}"
    settings.NOTIFICATIONS_URL = url
    notifications.stopped()
    command = listen_notifications.Command()
    thread = threading.Thread(target=command.handle, kwargs={
        "queue": queue, "seconds": getattr(request, "param", 90)}, daemon=True)
    thread.start()
    assert wait_for(notifications.listening), "the listener did not connect"
    yield thread
    command.running = False
    thread.join(timeout=10)
    with Connection(notifications.amqp_url(url)) as conn:
        conn.channel().queue_delete(queue)


def test_amqp_url_from_oslo_transport_urls():
    assert notifications.amqp_url(BUS) == "amqp://guest:guest@127.0.0.1:5672//"
    assert notifications.amqp_url("rabbit://u:p@h1:5672,u:p@h2:5672/openstack") == \
        "amqp://u:p@h1:5672/openstack"
    with pytest.raises(ValueError):
        notifications.amqp_url("kafka://h:9092")


def test_what_each_notification_calls_for():
    assert notifications.wanted("instance.update") == {"servers"}
    assert notifications.wanted("instance.delete.end") == {"servers"}
    assert notifications.wanted("compute_task.build_instances.error") == {"servers"}
    assert notifications.wanted("flavor.update") == {"flavors"}
    assert notifications.wanted("network.create.end") == {"networks"}
    assert notifications.wanted("network.create.start") == set()
    assert notifications.wanted("router.interface.create") == {"networks"}
    assert notifications.wanted("floatingip.update.end") == {"networks", "servers"}
    assert notifications.wanted("scheduler.select_destinations.end") == set()
    assert notifications.wanted("volume.create.end") == {"volumes"}
    assert notifications.wanted("volume.attach.end") == {"volumes"}
    assert notifications.wanted("snapshot.delete.end") == {"volumes"}
    assert notifications.wanted("volume.create.start") == set()


def test_neutron_notifications_kick_the_polls(notifying, listener):
    alice = notifying.cloud.connect("alice")
    # Nothing due for a while: only a notification can make a poll due now.
    networks_poll.polled(time.time() + 300)
    vms_poll.succeeded(time.time() + 300, transitional=False)
    net = alice.network.create_network(name=f"nt-{uuid.uuid4().hex[:6]}")
    try:
        assert wait_for(lambda: networks_poll.due(time.time())), \
            "network.create.end did not kick the networks poll"
        vms_poll.succeeded(time.time() + 300, transitional=False)
        port = alice.network.create_port(network_id=net.id)
        assert wait_for(lambda: time.time() >= vms_poll.next_at()), \
            "port.create.end did not kick the servers poll"
        alice.network.delete_port(port)
    finally:
        alice.network.delete_network(net)
    now = notifications.status()
    assert now["mode"] == "notifications" and now["last_message"]


@pytest.mark.parametrize("listener", [4], indirect=True)  # listens for 4 s
def test_polling_reconciles_while_listening_and_takes_over_when_it_stops(listener, capsys):
    started = time.time()
    networks_poll.polled(started, now=started)  # a poll that took no time
    assert not networks_poll.due(started + notifications.RECONCILE - 1)  # reconciling
    with pytest.raises(SystemExit) as code:
        call_command("listen_notifications", status=True)
    assert code.value.code == 0 and json.loads(capsys.readouterr().out)["mode"] == \
        "notifications"
    listener.join(timeout=120)  # its --seconds run out: it stops as on SIGTERM
    assert not listener.is_alive() and not notifications.listening()
    networks_poll.polled(started, now=started)  # a poll that took no time
    assert networks_poll.due(started + networks_poll.INTERVAL)  # polling again by itself
    with pytest.raises(SystemExit) as code:
        call_command("listen_notifications", status=True)
    assert code.value.code == 1 and json.loads(capsys.readouterr().out)["mode"] == "polling"


def test_nova_and_cinder_notifications_kick_the_servers_and_volumes_polls(notifying,
                                                                         listener):
    """A volume made (Cinder's volume.create.end) kicks the volumes poll; a server booted
    (Nova's instance.create.*) the servers poll, and its delete (instance.delete.end)
    again."""
    alice = notifying.cloud.connect("alice")
    tag = uuid.uuid4().hex[:6]
    volumes_poll.polled(time.time() + 300, transitional=False)
    vol = alice.block_storage.create_volume(size=1, name=f"nt-vol-{tag}")
    try:
        assert wait_for(lambda: volumes_poll.due(time.time())), \
            "volume.create.end did not kick the volumes poll"
        alice.block_storage.wait_for_status(vol, "available", wait=60)
    finally:
        alice.block_storage.delete_volume(vol, ignore_missing=True)
    net = alice.network.create_network(name=f"nt-{tag}")
    try:
        alice.network.create_subnet(network_id=net.id, cidr="10.79.0.0/24", ip_version=4)
        flavor = min(alice.compute.flavors(), key=lambda f: (f.ram, f.vcpus))
        image = next(i for i in alice.image.images() if i.status == "active")
        vms_poll.succeeded(time.time() + 300, transitional=False)
        server = alice.compute.create_server(name=f"nt-{tag}", flavor_id=flavor.id,
                                             image_id=image.id, networks=[{"uuid": net.id}])
        try:
            assert wait_for(lambda: time.time() >= vms_poll.next_at(), 60), \
                "instance.create.* did not kick the servers poll"
            alice.compute.wait_for_server(server, status="ACTIVE", wait=120)
            vms_poll.succeeded(time.time() + 300, transitional=False)
            alice.compute.delete_server(server)
            assert wait_for(lambda: time.time() >= vms_poll.next_at(), 60), \
                "instance.delete.* did not kick the servers poll"
            alice.compute.wait_for_delete(server, wait=120)
        finally:
            alice.compute.delete_server(server, ignore_missing=True)
    finally:
        for port in alice.network.ports(network_id=net.id):
            if not port.device_owner.startswith("network:"):
                alice.network.delete_port(port, ignore_missing=True)
        alice.network.delete_network(net, ignore_missing=True)


@pytest.mark.devcloud_only(reason="reads what the module's devcloud sends to its bus")
def test_devcloud_sends_neutrons_notifications_in_the_real_ones_shape(notifying, listener):
    """devcloud --notifications URL: the same exchange, routing key, envelope, event types
    and payload keys as the real Neutron's (captured on ../shared/realcloud), and the
    listener kicks the networks poll from them as from the real ones."""
    probe = f"stackport-probe-{uuid.uuid4().hex[:8]}"
    got = []
    with Connection(notifications.amqp_url(notifying.url)) as conn:
        channel = conn.channel()
        queue = __import__("kombu").Queue(probe, exclusive=True, auto_delete=True).bind(
            channel)
        queue.declare()
        queue.bind_to(exchange="neutron", routing_key="notifications.info")
        demo = notifying.cloud.connect("demo")
        networks_poll.polled(time.time() + 300)
        net = demo.network.create_network(name=f"nd-{uuid.uuid4().hex[:6]}")
        assert wait_for(lambda: networks_poll.due(time.time())), \
            "devcloud's network.create.end did not kick the networks poll"
        demo.network.delete_network(net)

        def collect(body, message):
            got.append((message.delivery_info["routing_key"], body))
            message.ack()

        with conn.Consumer(queue, callbacks=[collect], accept=["json"]):
            wait_for(lambda: _drained(conn) or len(_ours(got, net.id, net.name)) >= 4, 10)
    mine = _ours(got, net.id, net.name)
    assert [m["event_type"] for m in mine] == [
        "network.create.start", "network.create.end", "network.delete.start",
        "network.delete.end"]
    assert {rk for rk, _ in got} == {"notifications.info"}
    assert all(set(body) == {"oslo.version", "oslo.message"} for _, body in got)
    create_end, delete_end = mine[1], mine[3]
    assert create_end["publisher_id"].startswith("network.")
    assert create_end["priority"] == "INFO"
    assert {"message_id", "timestamp", "_unique_id", "payload"} <= set(create_end)
    assert create_end["payload"]["network"]["id"] == net.id
    assert set(delete_end["payload"]) == {"network_id", "network"}


def _drained(conn) -> bool:
    try:
        conn.drain_events(timeout=0.2)
    except TimeoutError:
        pass
    return False


def _ours(got, network_id: str, name: str = "") -> list[dict]:
    out = []
    for _, body in got:
        msg = notifications.message(body)
        payload = msg.get("payload") or {}
        text = json.dumps(payload)
        ours = network_id in text or (name and name in text)
        if ours and msg["event_type"].startswith("network."):
            out.append(msg)
    return out


def test_a_burst_sends_one_poll_now_and_one_at_the_windows_end(monkeypatch):
    """Nova sends instance.update and then instance.create.end ~100 ms apart: the second
    must start a poll of its own (at the debounce window's end), or the row waits for
    beat's next tick."""
    from portal import notification_polls
    from portal.celery import app
    from portal.redisconn import client

    for name in ("sent:servers", "trailing:servers"):
        client().delete(notifications.key(name))
    sent = []
    monkeypatch.setattr(app, "send_task",
                        lambda name, **options: sent.append((name, options.get("countdown"))))
    window = notification_polls.DEBOUNCE_MS / 1000
    notification_polls._poll_now({"servers"})
    notification_polls._poll_now({"servers"})       # inside the window: one more, at its end
    notification_polls._poll_now({"servers"})       # covered by that one
    assert sent == [("vms.tasks.poll", None), ("vms.tasks.poll", window)]
    time.sleep(window + 0.05)
    notification_polls._poll_now({"servers"})       # a new window: at once again
    assert sent[2:] == [("vms.tasks.poll", None)]


def test_in_transition_the_servers_poll_waits_for_notifications_as_the_cloud_sends_them(
        monkeypatch):
    """Polling alone: every second while a server builds. Listening: every
    TRANSIT_NOTIFIED seconds (Nova's .end notifications kick a poll at once; the steps
    between them come by polling), and only RECONCILE's once the cloud has been heard
    sending instance.update. The listener gone: every second again."""
    from portal import notification_polls
    from portal.celery import app
    from portal.redisconn import client

    monkeypatch.setattr(app, "send_task", lambda name, **options: None)

    def interval() -> float:
        now = time.time()
        vms_poll.succeeded(now, transitional=True, started=now)
        return vms_poll.next_at() - now + vms_poll.BEAT_SLACK

    client().delete(notifications.key("state_changes"))
    notifications.stopped()
    try:
        assert interval() == pytest.approx(vms_poll.FAST, abs=0.01)
        notifications.beat()
        assert interval() == pytest.approx(notifications.TRANSIT_NOTIFIED, abs=0.01)
        notification_polls.handle({"event_type": "instance.create.end", "payload": {}})
        assert interval() == pytest.approx(notifications.TRANSIT_NOTIFIED, abs=0.01)
        notification_polls.handle({"event_type": "instance.update", "payload": {}})
        assert interval() == pytest.approx(notifications.RECONCILE, abs=0.01)
        notifications.stopped()
        assert interval() == pytest.approx(vms_poll.FAST, abs=0.01)
    finally:
        notifications.stopped()
        client().delete(notifications.key("state_changes"))
        vms_poll.reset()


def test_a_key_pair_made_or_deleted_anywhere_reaches_its_owners_pages(notifying, listener):
    """Nova's keypair.import.end and keypair.delete.end (as the CLI causes them) become the
    key pair's row, or its removal, on every page of its owner: one variant per role (the
    member's with Delete, the reader's without), over the real channel layer."""
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from portal.events import user_group
    from vms import fragments, keys

    alice = notifying.cloud.connect("alice")
    user_id = alice.current_user_id
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    groups = [user_group(user_id, audience) for audience in ("member", "reader")]

    async def heard(marker: str, count: int, within: float = 30) -> list[str]:
        got = []
        async with asyncio.timeout(within):
            while len(got) < count:
                html = (await layer.receive(channel))["html"]
                if marker in html:
                    got.append(html)
        return got

    for group in groups:
        async_to_sync(layer.group_add)(group, channel)
    name = f"nt-kp-{uuid.uuid4().hex[:6]}"
    public, _ = keys.generate()
    try:
        alice.compute.create_keypair(name=name, public_key=public)
        added = async_to_sync(heard)(f'data-keypair="{name}"', 2)
        assert sorted("delete-keypair" in html for html in added) == [False, True]
        assert all('data-live-row="keypairs"' in html for html in added)
        alice.compute.delete_keypair(name)
        gone = async_to_sync(heard)(fragments.keypair_id(user_id, name), 2)
        assert all('hx-swap-oob="delete"' in html for html in gone)
    finally:
        alice.compute.delete_keypair(name, ignore_missing=True)
        for group in groups:
            async_to_sync(layer.group_discard)(group, channel)
