"""Neutron's notifications on a bus (devcloud --notifications URL, a transport URL such as
rabbit://guest:guest@127.0.0.1:5672/), as the real Neutron 2026.2 sends them with the
messagingv2 driver (captured on ../shared/realcloud's RabbitMQ):

    exchange `neutron`, routing key `notifications.info`, body
    {"oslo.version": "2.0", "oslo.message": "<JSON>"} where the JSON is
    {"message_id", "publisher_id": "network.<host>", "event_type", "priority": "INFO",
     "payload", "timestamp": "YYYY-MM-DD HH:MM:SS.ffffff", "_unique_id", "_context_…"}

    <resource>.create.start  {<resource>: the request body's object}
    <resource>.create.end    {<resource>: the object made}
    <resource>.update.start  {<resource>: the request body's object, "id": id}
    <resource>.update.end    {<resource>: the object now}
    <resource>.delete.start  {"<resource>_id": id}
    <resource>.delete.end    {"<resource>_id": id, <resource>: the object as it was}
    router.interface.create / router.interface.delete   {"router_interface": the answer}

for network, subnet, port, router, floatingip, security_group, security_group_rule. A
middleware watches the Neutron API's successful writes; a thread publishes (kombu is
blocking; the API never waits for the bus, and a bus that is down loses notifications, as
oslo.messaging's notifier does after its retries). The same thread sends Nova's versioned
notifications (compute/notify.py) and Cinder's (volume/notify.py), each to its own
exchange and topic.
"""

import json
import logging
import queue
import re
import threading
import uuid
from datetime import UTC, datetime

from aiohttp import web

log = logging.getLogger(__name__)
PATH = re.compile(r"^/networking/v2\.0/(networks|subnets|ports|routers|floatingips|"
                  r"security-groups|security-group-rules)(?:/([^/]+))?(?:/([a-z_]+))?$")
MEMBER = {"networks": "network", "subnets": "subnet", "ports": "port", "routers": "router",
          "floatingips": "floatingip", "security-groups": "security_group",
          "security-group-rules": "security_group_rule"}
STORE = {"security-groups": "security_groups", "security-group-rules": "security_group_rules"}
PUBLISHER = "network.devcloud"


def amqp_url(transport_url: str) -> str:
    scheme, _, rest = transport_url.partition("://")
    hosts, _, vhost = rest.partition("/")
    first = hosts.split(",")[0]
    vhost = vhost.split("?")[0]
    return f"amqp://{first}/{vhost}" if vhost not in ("", "/") else f"amqp://{first}//"


class Notifier:
    """Publishes from a thread of its own, in the order the services made the changes:
    Neutron's (this module), Nova's versioned ones (compute/notify.py) and Cinder's
    (volume/notify.py), each to its service's exchange and topic."""

    def __init__(self, transport_url: str):
        self.url = amqp_url(transport_url)
        self.pending: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True, name="notifier")
        self.thread.start()

    def notify(self, ctx, event_type: str, payload: dict) -> None:
        """One of Neutron's, from the API's request context."""
        self.send(exchange="neutron", topic="notifications", publisher=PUBLISHER,
                  event_type=event_type, payload=payload, context=context(ctx))

    def send(self, *, exchange: str, topic: str, publisher: str, event_type: str,
             payload: dict, context: dict, priority: str = "INFO") -> None:
        """Queue one for `exchange`, routing key <topic>.<priority> (oslo.messaging's)."""
        msg = {"message_id": str(uuid.uuid4()), "publisher_id": publisher,
               "event_type": event_type, "priority": priority, "payload": payload,
               "timestamp": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
               "_unique_id": uuid.uuid4().hex, **context}
        self.pending.put((exchange, f"{topic}.{priority.lower()}", msg))

    def _run(self) -> None:
        from kombu import Connection, Exchange

        while True:
            name, routing_key, msg = self.pending.get()
            try:
                with Connection(self.url, connect_timeout=3) as conn:
                    producer = conn.Producer(serializer="json")
                    while True:
                        exchange = Exchange(name, type="topic", durable=False,
                                            auto_delete=False)
                        producer.publish({"oslo.version": "2.0",
                                          "oslo.message": json.dumps(msg)},
                                         exchange=exchange, routing_key=routing_key,
                                         declare=[exchange], retry=True,
                                         retry_policy={"max_retries": 2})
                        try:
                            name, routing_key, msg = self.pending.get(timeout=30)
                        except queue.Empty:
                            break
            except Exception as exc:  # noqa: BLE001 - a bus away: this one is lost
                log.warning("notification %s not sent: %s", msg["event_type"], exc)


def context(ctx) -> dict:
    """The request context oslo.messaging puts beside the notification (_context_*)."""
    return {"_context_project_id": getattr(ctx, "project_id", None),
            "_context_user_id": getattr(ctx, "user_id", None),
            "_context_is_admin": bool(getattr(ctx, "is_admin", False))}


def _stored(request, coll: str, oid: str | None) -> dict | None:
    state = request.app.get("neutron")
    if state is None or oid is None:
        return None
    obj = state[STORE.get(coll, coll)].get(oid)
    return json.loads(json.dumps(obj, default=str)) if obj is not None else None


def middleware(notifier: Notifier):
    @web.middleware
    async def neutron_notifications(request: web.Request, handler):
        match = PATH.match(request.path) if request.method in ("POST", "PUT", "DELETE") \
            else None
        if match is None:
            return await handler(request)
        coll, oid, action = match.groups()
        member = MEMBER[coll]
        before = _stored(request, coll, oid) if request.method == "DELETE" else None
        body = {}
        if request.method in ("POST", "PUT") and request.can_read_body:
            try:
                body = (await request.json()).get(member) or {}
            except (ValueError, AttributeError):
                body = {}
        response = await handler(request)
        if response.status >= 400:
            return response
        ctx = request.get("ctx")
        answer = json.loads(response.body) if getattr(response, "body", None) else {}
        if action in ("add_router_interface", "remove_router_interface"):
            verb = "create" if action.startswith("add") else "delete"
            notifier.notify(ctx, f"router.interface.{verb}", {"router_interface": answer})
        elif action is None and request.method == "POST" and oid is None:
            notifier.notify(ctx, f"{member}.create.start", {member: body})
            notifier.notify(ctx, f"{member}.create.end", {member: answer.get(member)})
        elif action is None and request.method == "PUT":
            notifier.notify(ctx, f"{member}.update.start", {member: body, "id": oid})
            notifier.notify(ctx, f"{member}.update.end", {member: answer.get(member)})
        elif action is None and request.method == "DELETE":
            notifier.notify(ctx, f"{member}.delete.start", {f"{member}_id": oid})
            notifier.notify(ctx, f"{member}.delete.end", {f"{member}_id": oid,
                                                         member: before})
        return response

    return neutron_notifications
