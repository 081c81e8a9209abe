"""/metrics: what the portal's processes do, in Prometheus' text format (prometheus-client).

Counted where it happens, in the process it happens in:
    stackport_http_requests_total{view,method,status}, ..._request_duration_seconds{view,method}
    stackport_cloud_api_calls_total{service,method,status}, ..._duration_seconds{service,method}
    stackport_websockets_open{kind}             events / console sockets open now
    stackport_console_sockets_opened_total{console_type}, stackport_console_bytes_total{direction}
    stackport_celery_tasks_total{task,state}, stackport_celery_task_duration_seconds{task}
    stackport_poller_poll_duration_seconds      a poll that polled: list, diff, write, publish
Read when scraped, from what every process shares (Redis, the database):
    stackport_celery_queue_depth{queue}         tasks waiting in the broker
    stackport_poller_last_success_age_seconds, stackport_poller_consecutive_failures
    stackport_console_sessions_open             open console sessions in the audit table

Several processes (web processes, Celery workers): with PROMETHEUS_MULTIPROC_DIR set (a
directory every process on the host writes, emptied before they start: the migrate job
does), any web process's /metrics sums them all; without it each web process answers for
itself (scrape each one) and the worker's counts stay in the worker.

Who may scrape: PORTAL_METRICS_ALLOW (addresses or networks, default loopback) or a
bearer token, PORTAL_METRICS_TOKEN (`Authorization: Bearer <token>`); anyone else gets 403.
"""

import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

HTTP_REQUESTS = Counter("stackport_http_requests", "HTTP requests answered",
                        ["view", "method", "status"])
HTTP_DURATION = Histogram("stackport_http_request_duration_seconds",
                          "Time to answer an HTTP request", ["view", "method"], buckets=SECONDS)
CLOUD_CALLS = Counter("stackport_cloud_api_calls", "Cloud API calls (status 0: no answer)",
                      ["service", "method", "status"])
CLOUD_DURATION = Histogram("stackport_cloud_api_call_duration_seconds",
                           "Time a cloud API call took", ["service", "method"], buckets=SECONDS)
WEBSOCKETS = Gauge("stackport_websockets_open", "WebSockets open", ["kind"],
                   multiprocess_mode="livesum")
CONSOLE_SOCKETS = Counter("stackport_console_sockets_opened",
                          "Console WebSockets relayed (a SPICE session opens several)",
                          ["console_type"])
CONSOLE_BYTES = Counter("stackport_console_bytes", "Bytes relayed by console sessions",
                        ["direction"])
TASKS = Counter("stackport_celery_tasks", "Celery tasks run", ["task", "state"])
TASK_DURATION = Histogram("stackport_celery_task_duration_seconds", "Time a Celery task ran",
                          ["task"], buckets=SECONDS)
POLL_DURATION = Histogram("stackport_poller_poll_duration_seconds",
                          "Time a poll of Nova took (list, diff, write, publish)",
                          buckets=SECONDS)


# --- where things are counted --------------------------------------------------------------

def observe_request(request, response, duration_ms: float) -> None:
    match = getattr(request, "resolver_match", None)
    view = match.view_name if match else "<unresolved>"
    HTTP_REQUESTS.labels(view, request.method, str(response.status_code)).inc()
    HTTP_DURATION.labels(view, request.method).observe(duration_ms / 1000)


def observe_call(call) -> None:
    CLOUD_CALLS.labels(call.service, call.method, str(call.status)).inc()
    CLOUD_DURATION.labels(call.service, call.method).observe(call.ms / 1000)


def observe_task(name: str, state: str, duration_ms: float) -> None:
    TASKS.labels(name, state or "UNKNOWN").inc()
    TASK_DURATION.labels(name).observe(duration_ms / 1000)


def console_bytes(to_client: int, to_server: int) -> None:
    if to_client:
        CONSOLE_BYTES.labels("to_client").inc(to_client)
    if to_server:
        CONSOLE_BYTES.labels("to_server").inc(to_server)


# --- read when scraped --------------------------------------------------------------------

def queue_depth(client, queue: str) -> int:
    """Celery's Redis transport keeps a queue as a list, plus one per priority step
    ("<queue>\\x06\\x163", ...): all of them are waiting tasks."""
    keys = [queue] + [f"{queue}\x06\x16{step}" for step in (1, 2, 3, 4, 5, 6, 7, 8, 9)]
    pipe = client.pipeline()
    for key in keys:
        pipe.llen(key)
    return sum(pipe.execute())


class SharedCollector:
    """What no single process counts: the broker's queue, the poller's state in Redis,
    the open console sessions in the database. A source that does not answer is left
    out of the scrape (its absence is what the alert sees), never a failed scrape."""

    def collect(self):
        yield from self._queue()
        yield from self._poller()
        yield from self._consoles()

    def _queue(self):
        import redis

        from .redisconn import for_url

        try:
            depth = queue_depth(for_url(settings.REDIS_ROLES["broker"]),
                                settings.CELERY_TASK_DEFAULT_QUEUE)
        except redis.RedisError:
            return
        family = GaugeMetricFamily("stackport_celery_queue_depth",
                                   "Tasks waiting in the broker", labels=["queue"])
        family.add_metric([settings.CELERY_TASK_DEFAULT_QUEUE], depth)
        yield family

    def _poller(self):
        from redis.exceptions import RedisError

        from vms import pollstate

        try:
            last_good, failures = pollstate.last_good(), pollstate.failures()
        except RedisError:
            return
        if last_good is not None:
            yield GaugeMetricFamily("stackport_poller_last_success_age_seconds",
                                    "Seconds since the poller last heard from Nova",
                                    value=max(time.time() - last_good, 0))
        yield GaugeMetricFamily("stackport_poller_consecutive_failures",
                                "Polls that failed in a row", value=failures)

    def _consoles(self):
        from django.db import DatabaseError

        from consoles.models import ConsoleSession

        try:
            count = ConsoleSession.objects.filter(ended_at__isnull=True).count()
        except DatabaseError:
            return
        yield GaugeMetricFamily("stackport_console_sessions_open",
                                "Console sessions open (audit records not ended)",
                                value=count)


_shared = CollectorRegistry(auto_describe=False)
_shared.register(SharedCollector())


def _registry():
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def exposition() -> bytes:
    return generate_latest(_registry()) + generate_latest(_shared)


def serve_worker_metrics() -> None:
    """A Celery worker's own metrics on PORTAL_WORKER_METRICS_PORT (bound to
    PORTAL_WORKER_METRICS_ADDR, default loopback): its tasks run in pool processes, summed
    through PROMETHEUS_MULTIPROC_DIR. For a worker in a container of its own, where no web
    process shares that directory; the shared collectors are the web's."""
    port = os.environ.get("PORTAL_WORKER_METRICS_PORT")
    if not port:
        return
    from prometheus_client import start_http_server

    start_http_server(int(port), addr=os.environ.get("PORTAL_WORKER_METRICS_ADDR",
                                                     "127.0.0.1"), registry=_registry())


# --- who may scrape --------------------------------------------------------------------

def allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip(), token):
            return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False)
               for net in settings.METRICS_ALLOW)


def view(request) -> HttpResponse:
    if not allowed(request):
        return HttpResponse("Not allowed to read the metrics.\n", status=403,
                            content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})


def process_exited(pid: int) -> None:
    """A Celery pool process or a web process that ended: its live gauges go."""
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
