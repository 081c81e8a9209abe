"""Nova's versioned and Cinder's notifications that devcloud must send as the real ones do.

`run(admin, demo, bus)` plays one scenario with two openstacksdk connections while a queue
of its own (exclusive, deleted with its connection) on the bus records what Nova and Cinder
send: a server booted, stopped, started, rebooted, resized and confirmed, given a volume
(attached, detached, snapshotted) and deleted. Only the messages about the scenario's own
server, volume and snapshot are kept, in order. `record_notifications.py` plays it on the
real cloud into notifications_real.json; test_notifications_parity.py plays it on devcloud
and compares field by field (keys and JSON types; values only where they say what
happened). Everything the scenario makes is deleted at the end.
"""

import json
import threading
import time
import uuid
from pathlib import Path

from kombu import Connection, Exchange, Queue

RECORDED = Path(__file__).with_name("notifications_real.json")
KEYPAIRS_RECORDED = Path(__file__).with_name("keypair_notifications_real.json")
# exchange → routing keys: Nova's versioned topic; Cinder's notifications go to its
# control_exchange (oslo.messaging's default "openstack"; some deployments set "cinder")
BINDINGS = {"nova": ("versioned_notifications.info", "versioned_notifications.error"),
            "openstack": ("notifications.info", "notifications.error"),
            "cinder": ("notifications.info", "notifications.error")}
SECRET = ("token", "password", "secret")


def amqp(transport_url: str) -> str:
    from devcloud.notifications import amqp_url  # no Django here: the recorder runs bare

    return amqp_url(transport_url)


class Recorder:
    """A queue of its own bound to the services' notification topics, read in a thread."""

    def __init__(self, bus: str):
        self.conn = Connection(amqp(bus), connect_timeout=5)
        self.got: list[dict] = []
        self.stop = False
        channel = self.conn.channel()
        self.queue = Queue(f"stackport-record-{uuid.uuid4().hex[:8]}", exclusive=True,
                           auto_delete=True).bind(channel)
        self.queue.declare()
        for exchange, keys in BINDINGS.items():
            # oslo.messaging declares its exchanges so (topic, not durable); declaring one
            # not made yet lets the binding hold from now
            Exchange(exchange, type="topic", durable=False, auto_delete=False)(channel)\
                .declare()
            for key in keys:
                self.queue.bind_to(exchange=exchange, routing_key=key)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        with self.conn.Consumer(self.queue, callbacks=[self._got], accept=["json"]):
            while not self.stop:
                try:
                    self.conn.drain_events(timeout=0.2)
                except TimeoutError:
                    pass

    def _got(self, body, message):
        info = message.delivery_info
        self.got.append({"exchange": info.get("exchange"), "routing_key": info["routing_key"],
                         "envelope": sorted(body) if isinstance(body, dict) else None,
                         "message": _inner(body)})
        message.ack()

    def done(self, settle: float = 3.0) -> list[dict]:
        time.sleep(settle)  # the last .end notifications are still on their way
        self.stop = True
        self.thread.join(timeout=10)
        self.conn.release()
        return self.got


def _inner(body) -> dict:
    if isinstance(body, dict) and isinstance(body.get("oslo.message"), str):
        return json.loads(body["oslo.message"])
    return body


def redact(value):
    """Tokens and passwords out of a recorded message (the context carries the token)."""
    if isinstance(value, dict):
        return {k: ("<redacted>" if any(s in k.lower() for s in SECRET) and v else redact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def ours(got: list[dict], ids: set[str]) -> list[dict]:
    return [m for m in got if any(i in json.dumps(m["message"].get("payload")) for i in ids)]


class Scenario:
    def __init__(self, admin, demo, bus: str):
        self.admin, self.demo, self.bus = admin, demo, bus
        self.tag = f"t{uuid.uuid4().hex[:6]}"
        self.made: dict = {"flavors": [], "images": [], "servers": [], "volumes": [],
                           "snapshots": []}

    def run(self) -> list[dict]:
        recorder = Recorder(self.bus)
        try:
            self.setup()
            self.server_life()
        finally:
            self.cleanup()
            got = recorder.done()
        ids = {i for key in ("servers", "volumes", "snapshots") for i in self.made[key]}
        return [redact(m) for m in ours(got, ids)]

    def setup(self):
        admin, demo, tag = self.admin, self.demo, self.tag
        self.f1, self.f2 = [admin.compute.create_flavor(name=f"dn-{n}-{tag}", ram=ram,
                                                        vcpus=1, disk=1)
                            for n, ram in (("f1", 256), ("f2", 512))]
        self.made["flavors"] += [self.f1.id, self.f2.id]
        self.img = demo.image.create_image(name=f"dn-img-{tag}", disk_format="raw",
                                           container_format="bare", data=b"\0" * 1024,
                                           visibility="private")
        self.made["images"].append(self.img.id)
        self.net = demo.network.create_network(name=f"dn-net-{tag}")
        demo.network.create_subnet(network_id=self.net.id, cidr="10.78.0.0/24",
                                   ip_version=4, name=f"dn-sub-{tag}")

    def server_life(self):
        demo = self.demo
        server = demo.compute.create_server(name=f"dn-{self.tag}", flavor_id=self.f1.id,
                                            image_id=self.img.id,
                                            networks=[{"uuid": self.net.id}])
        self.made["servers"].append(server.id)
        server = demo.compute.wait_for_server(server, status="ACTIVE", wait=120)
        self.settled(server, "ACTIVE")
        demo.compute.stop_server(server)
        self.settled(server, "SHUTOFF")
        demo.compute.start_server(server)
        self.settled(server, "ACTIVE")
        demo.compute.reboot_server(server, "SOFT")
        self.settled(server, "ACTIVE")
        demo.compute.resize_server(server, self.f2.id)
        self.settled(server, "VERIFY_RESIZE")
        demo.compute.confirm_server_resize(server)
        self.settled(server, "ACTIVE")
        self.volume_life(server)
        demo.compute.delete_server(server)
        demo.compute.wait_for_delete(server, wait=120)

    def volume_life(self, server):
        demo = self.demo
        vol = demo.block_storage.create_volume(size=1, name=f"dn-vol-{self.tag}")
        self.made["volumes"].append(vol.id)
        vol = demo.block_storage.wait_for_status(vol, "available", wait=120)
        demo.compute.create_volume_attachment(server, volume_id=vol.id)
        demo.block_storage.wait_for_status(vol, "in-use", wait=120)
        demo.compute.delete_volume_attachment(server, vol.id)
        demo.block_storage.wait_for_status(vol, "available", wait=120)
        snap = demo.block_storage.create_snapshot(volume_id=vol.id, name=f"dn-snap-{self.tag}")
        self.made["snapshots"].append(snap.id)
        demo.block_storage.wait_for_status(snap, "available", wait=120)
        demo.block_storage.delete_snapshot(snap)
        demo.block_storage.wait_for_delete(snap, wait=120)
        demo.block_storage.delete_volume(vol)
        demo.block_storage.wait_for_delete(vol, wait=120)

    def settled(self, server, status: str, timeout: float = 120):
        """The status reached and no task left (the end notification is then sent)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = self.demo.compute.get_server(server.id)
            if now.status == status and now.task_state is None:
                return now
            time.sleep(0.1)
        raise AssertionError(f"{server.id}: {now.status}/{now.task_state}, not {status}")

    def cleanup(self):
        admin, demo = self.admin, self.demo
        for snap in self.made["snapshots"]:
            demo.block_storage.delete_snapshot(snap, ignore_missing=True)
        for sid in self.made["servers"]:
            admin.compute.delete_server(sid, ignore_missing=True)
        for sid in self.made["servers"]:
            try:
                admin.compute.wait_for_delete(admin.compute.get_server(sid), wait=60)
            except Exception:  # noqa: BLE001 - already gone
                pass
        for vol in self.made["volumes"]:
            try:
                demo.block_storage.delete_volume(vol, ignore_missing=True)
            except Exception:  # noqa: BLE001 - still detaching: the sweep gets it
                pass
        for image in self.made["images"]:
            admin.image.delete_image(image, ignore_missing=True)
        for flavor in self.made["flavors"]:
            admin.compute.delete_flavor(flavor, ignore_missing=True)
        for port in demo.network.ports(network_id=self.net.id):
            if not port.device_owner.startswith("network:"):
                demo.network.delete_port(port, ignore_missing=True)
        demo.network.delete_network(self.net, ignore_missing=True)


class KeypairScenario:
    """The demo user has Nova make a key pair, imports another, and deletes both: what
    nova-api sends for key pairs (the portal's key pairs page follows them)."""

    def __init__(self, demo, bus: str):
        self.demo, self.bus = demo, bus
        tag = uuid.uuid4().hex[:6]
        self.names = [f"dn-kp-{tag}", f"dn-kp-{tag}-imported"]

    def run(self) -> list[dict]:
        recorder = Recorder(self.bus)
        try:
            made = self.demo.compute.create_keypair(name=self.names[0])  # below 2.92
            self.demo.compute.create_keypair(name=self.names[1], public_key=made.public_key)
        finally:
            for name in self.names:
                self.demo.compute.delete_keypair(name, ignore_missing=True)
            got = recorder.done()
        return [redact(m) for m in ours(got, set(self.names))]


def kind(msg: dict) -> str:
    """Which of the scenario's objects a notification is about (its order is per object:
    a server's and a volume's notifications interleave differently run to run)."""
    event = msg["message"]["event_type"]
    return event.split(".")[0]


def trimmed(got: list[dict]) -> dict:
    """The order per object kind, and one whole notification per event type (the first)."""
    sequence: dict[str, list[str]] = {}
    messages: dict[str, dict] = {}
    for m in got:
        event = m["message"]["event_type"]
        sequence.setdefault(kind(m), []).append(event)
        messages.setdefault(event, m)
    return {"sequence": sequence, "messages": messages}
