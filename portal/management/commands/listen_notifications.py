"""manage.py listen_notifications: read the cloud's notification bus and kick the pollers
(portal/notifications.py says what each notification means).

    --url URL      the transport URL (default PORTAL_NOTIFICATIONS_URL)
    --queue NAME   the durable queue (default PORTAL_NOTIFICATIONS_QUEUE,
                   stackport-notifications): notifications sent while the listener is
                   down wait in it
    --status       print whether notifications or polling are in charge (JSON); exit 1
                   when polling has taken over (a healthcheck for the listener)

Run exactly one (a second on the same queue would share the messages, which is harmless
but pointless). It reconnects by itself when the bus goes away; while it is away the
heartbeat lapses and the pollers keep pages current by polling.
"""

import json
import logging
import signal
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from kombu import Connection, Queue

from portal import notification_polls, notifications

log = logging.getLogger(__name__)
RETRY = 2.0  # seconds between connection attempts while the bus is away


def bind(channel, queue_name: str) -> Queue:
    """The durable queue, bound to each exchange's notification topic. The exchanges are
    the services' own (oslo.messaging declares them); one not made yet is declared as
    oslo.messaging does (a topic exchange, not durable) so the binding holds from now."""
    queue = Queue(queue_name, durable=True, auto_delete=False).bind(channel)
    queue.declare()
    for exchange, keys in notifications.BINDINGS.items():
        for key in keys:
            try:
                queue.bind_to(exchange=exchange, routing_key=key)
            except Exception as exc:  # 404 NOT_FOUND closes the channel: a new one
                log.info("exchange %s not there yet (%s): declaring it", exchange, exc)
                channel = channel.connection.channel()
                channel.exchange_declare(exchange, "topic", durable=False, auto_delete=False)
                queue = queue.bind(channel)
                queue.bind_to(exchange=exchange, routing_key=key)
    return queue


class Command(BaseCommand):
    help = "Listen to the cloud's notification bus; the pollers then only reconcile."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=None)
        parser.add_argument("--queue", default=None)
        parser.add_argument("--status", action="store_true")
        parser.add_argument("--seconds", type=float, default=None,
                            help="stop after this long (tests, benches)")

    def handle(self, *args, url=None, queue=None, status=False, seconds=None, **options):
        if status:
            now = notifications.status()
            self.stdout.write(json.dumps(now))
            sys.exit(0 if now["listening"] else 1)
        url = url or notifications.url()
        if not url:
            raise CommandError("No bus: set PORTAL_NOTIFICATIONS_URL (e.g. "
                               "rabbit://guest:guest@127.0.0.1:5672/) or pass --url.")
        queue = queue or settings.NOTIFICATIONS_QUEUE
        self.running = True
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: setattr(self, "running", False))
        until = time.monotonic() + seconds if seconds else None
        try:
            while self.running and (until is None or time.monotonic() < until):
                try:
                    self.listen(notifications.amqp_url(url), queue, until)
                except Exception as exc:  # noqa: BLE001 - the bus away: poll, retry
                    notifications.stopped()
                    log.warning("notification bus unavailable (%s); polling meanwhile", exc)
                    time.sleep(RETRY)
        finally:
            notifications.stopped()

    def listen(self, amqp: str, queue_name: str, until: float | None) -> None:
        with Connection(amqp, connect_timeout=5, heartbeat=30) as conn:
            conn.ensure_connection(max_retries=1)
            queue = bind(conn.channel(), queue_name)
            with conn.Consumer(queue, callbacks=[self.received], accept=["json"]):
                log.info("listening to %s on queue %s", amqp.split("@")[-1], queue_name)
                while self.running and (until is None or time.monotonic() < until):
                    notifications.beat()
                    try:
                        conn.drain_events(timeout=1)
                    except TimeoutError:
                        conn.heartbeat_check()

    def received(self, body, message):
        try:
            polls = notification_polls.handle(body)
            if polls:
                log.debug("notification: kicked %s", ", ".join(sorted(polls)))
        except Exception:  # a malformed message must not stop the listener
            log.warning("notification not understood", exc_info=True)
        message.ack()
