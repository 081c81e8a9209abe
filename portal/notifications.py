"""The cloud's notification bus (PORTAL_NOTIFICATIONS_URL, an oslo.messaging transport URL
such as Kolla's rabbit://user:pass@host:5672/): what a notification means to the portal,
and whether the listener is alive.

One listener process (`manage.py listen_notifications`) reads a durable queue of its own
bound to the `nova` exchange's `versioned_notifications.*` topic (Nova's versioned
notifications), the `neutron` exchange's `notifications.*` (Neutron's) and Cinder's
control exchange's `notifications.*` (`openstack`, oslo.messaging's default, which Cinder
keeps; CINDER_EXCHANGE for a deployment that sets its own). It does not
build rows from the payloads: a notification kicks the poller whose list it changes, and
its task is sent at once (not waiting for beat's next second), and the poll's one list
call publishes the changed rows: the same events, with the same permissions and rendering,
as polling alone. What a notification makes the portal do (kick and poll) is
portal/notification_polls.py, kept apart so that the pollers, which read the heartbeat
here, and this module never import each other.

    instance.*, compute_task.* (Nova; the second: a build the conductor gave up on,
                                                NoValidHost)
                                              → the servers poll
    port.*.end, floatingip.*.end (Neutron)    → the servers poll (a server's addresses,
                                                ports and floating IPs) and the networks poll
    network.*, subnet.*, router.*, security_group.* (Neutron, .end and router.interface.*)
                                              → the networks poll
    flavor.create, .update, .delete (Nova)    → the flavors poll (the admins' flavors list)
    volume.*.end, snapshot.*.end (Cinder)     → the volumes poll (its list publishes the
                                                rows, as polling alone)

While the listener is alive (a heartbeat in Redis, renewed every second while it is
connected to the bus, lapsing after HEARTBEAT_TTL), the pollers' quiet interval becomes
RECONCILE (about a minute): polling is only the reconciliation. When the bus goes away or
the listener dies, the heartbeat lapses and the pollers go back to their own pace by
themselves. `manage.py listen_notifications --status` says which it is (exit 1 when
polling has taken over).

While something is in transition (a server building, a reboot) the servers poller would
poll every second. With notifications it need not: Nova ends each action with a
notification (instance.create.end or .error, instance.power_off.end, ...), which kicks a
poll at once. What those leave out is the steps between (scheduling, networking,
spawning), which only instance.update carries, and Nova sends it only where
`[notifications] notify_on_state_change` is set (not by default, not on the real cloud
here). So a poll in transition comes every TRANSIT_NOTIFIED seconds, filling in those
steps, or only RECONCILE's when instance.update has been heard (STATE_CHANGES_TTL).
"""

import json
import logging
import time

from django.conf import settings

from portal.redisconn import client, scoped

log = logging.getLogger(__name__)
CINDER_EXCHANGE = getattr(settings, "NOTIFICATIONS_CINDER_EXCHANGE", "openstack")
HEARTBEAT_TTL = 15  # seconds without a heartbeat before the pollers take over again
RECONCILE = 60.0    # the pollers' quiet interval while notifications arrive
TRANSIT_NOTIFIED = 5.0  # the servers poller's interval in transition, while they arrive
STATE_CHANGES_TTL = 3600  # seconds an instance.update says the cloud sends state changes
# exchange → the routing keys of its notification topic (oslo.messaging: <topic>.<priority>)
BINDINGS = {"nova": ("versioned_notifications.info", "versioned_notifications.error"),
            "neutron": ("notifications.info", "notifications.error"),
            CINDER_EXCHANGE: ("notifications.info", "notifications.error")}
NETWORK_KINDS = ("network.", "subnet.", "router.", "security_group.", "port.", "floatingip.")
SERVER_KINDS = ("port.", "floatingip.")
VOLUME_KINDS = ("volume.", "snapshot.")


def key(name: str) -> str:
    """Per database, as the pollers' state (two portals, or a test run beside a live
    portal, on one Redis: one's listener must not slow the other's pollers)."""
    return scoped("notifications") + name


def url() -> str:
    return getattr(settings, "NOTIFICATIONS_URL", "") or ""


def amqp_url(transport_url: str) -> str:
    """kombu's URL for an oslo.messaging rabbit:// transport URL (the first host of a
    comma-separated list; an empty virtual host is RabbitMQ's '/')."""
    scheme, _, rest = transport_url.partition("://")
    if scheme not in ("rabbit", "amqp"):
        raise ValueError(f"not a RabbitMQ transport URL: {transport_url!r}")
    hosts, _, vhost = rest.partition("/")
    first = hosts.split(",")[0]
    vhost = vhost.split("?")[0]
    return f"amqp://{first}/{vhost}" if vhost not in ("", "/") else f"amqp://{first}//"


def message(body) -> dict:
    """The notification inside oslo.messaging's envelope ({"oslo.version": "2.0",
    "oslo.message": "<JSON>"}), or the body itself when it was sent bare."""
    if isinstance(body, (bytes, str)):
        body = json.loads(body)
    inner = body.get("oslo.message")
    return json.loads(inner) if isinstance(inner, str) else body


def wanted(event_type: str) -> set[str]:
    """Which polls a notification of this type calls for ({"servers", "networks",
    "volumes", "flavors"})."""
    polls = set()
    if event_type.startswith(("instance.", "compute_task.")):
        polls.add("servers")
    if event_type.startswith("flavor."):
        polls.add("flavors")
    ended = event_type.endswith(".end") or event_type.startswith("router.interface.")
    if ended and event_type.startswith(NETWORK_KINDS):
        polls.add("networks")
    if ended and event_type.startswith(SERVER_KINDS):
        polls.add("servers")
    if event_type.endswith(".end") and event_type.startswith(VOLUME_KINDS):
        polls.add("volumes")
    return polls


def beat() -> None:
    """The listener is connected and reading: renew its heartbeat."""
    client().set(key("alive"), time.time(), ex=HEARTBEAT_TTL)


def stopped() -> None:
    client().delete(key("alive"))


def listening() -> bool:
    """Whether a listener is alive now (the pollers then only reconcile). Redis away:
    no, so the pollers keep their own pace."""
    try:
        return client().exists(key("alive")) == 1
    except Exception:  # noqa: BLE001 - any doubt means: poll
        return False


def quiet_interval(own: float) -> float:
    """A poller's quiet interval: its own, or RECONCILE while notifications arrive."""
    return max(own, RECONCILE) if listening() else own


def transit_interval(own: float) -> float:
    """The servers poller's interval while something is in transition: its own without
    notifications; with them, TRANSIT_NOTIFIED, or RECONCILE when the cloud sends
    instance.update (every step then comes as a notification)."""
    if not listening():
        return own
    try:
        state_changes = client().exists(key("state_changes")) == 1
    except Exception:  # noqa: BLE001 - any doubt means: poll
        return own
    return max(own, RECONCILE if state_changes else TRANSIT_NOTIFIED)


def heard(event_type: str) -> None:
    """Note what a notification says of the cloud's settings (its instance.update)."""
    if event_type == "instance.update":
        client().set(key("state_changes"), time.time(), ex=STATE_CHANGES_TTL)


def status() -> dict:
    alive = client().get(key("alive"))
    last = client().get(key("last_message"))
    return {"configured": bool(url()), "listening": alive is not None,
            "mode": "notifications" if alive is not None else "polling",
            "last_heartbeat": float(alive) if alive else None,
            "last_message": float(last) if last else None}
