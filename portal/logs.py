"""What the portal's processes log, and how: one line per request and one per Celery task,
JSON in production (PORTAL_LOG_FORMAT=json, the default unless DEBUG or the demo) and plain
text in the demo (PORTAL_LOG_FORMAT=text).

Every line carries time, level and logger; a line written while a request or a task is
being served also carries its context (request id, user, project, view or task), so a
warning deep in a service is found next to the request it belongs to. The request's and
the task's own line add status, duration, the number of cloud calls and each call's
service, method, status and `x-openstack-request-id` (portal/cloudcalls.py): an operator
greps nova-api's log for that id.

    {"time": "2026-11-03T10:41:07.512Z", "level": "INFO", "logger": "portal.request",
     "message": "GET /servers/ 200", "request_id": "req-…", "user": "alice",
     "project": "…", "view": "vms:list", "method": "GET", "path": "/servers/",
     "status": 200, "duration_ms": 48.1, "cloud_calls": 3,
     "cloud": [{"service": "compute", "method": "GET", "status": 200,
                "request_id": "req-…", "ms": 11.2}, …]}
"""

import contextlib
import contextvars
import json
import logging
import os
import time
from datetime import UTC, datetime

# The request's or task's fields (a dict set per request/task, filled in as it goes).
_context: contextvars.ContextVar = contextvars.ContextVar("log_context", default=None)
CONTEXT_FIELDS = ("request_id", "user", "project", "view", "task", "task_id")
# What LogRecord has of its own: anything else on a record came as `extra=` and is logged.
_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName",
                                                      "portal_context"}

request_log = logging.getLogger("portal.request")
task_log = logging.getLogger("portal.task")


def log_format() -> str:
    """json or text: PORTAL_LOG_FORMAT, else text for the demo and DEBUG, json otherwise."""
    chosen = os.environ.get("PORTAL_LOG_FORMAT", "").strip().lower()
    if chosen in ("json", "text"):
        return chosen
    demo = any(os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")
               for name in ("PORTAL_DEMO", "DEBUG"))
    return "text" if demo else "json"


@contextlib.contextmanager
def bound(**fields):
    """Everything logged inside carries these fields (and those `bind` adds later)."""
    reset = _context.set({k: v for k, v in fields.items() if v})
    try:
        yield
    finally:
        _context.reset(reset)


def bind(**fields) -> None:
    """Add fields to the current request's or task's context (e.g. the view, once known)."""
    current = _context.get()
    if current is not None:
        current.update({k: v for k, v in fields.items() if v})


def context() -> dict:
    return dict(_context.get() or {})


def _install_record_factory() -> None:
    """Each record takes the context where it is made (a handler may format it later,
    in another thread): one attribute, so no `extra=` can collide with it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "portal_context", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.portal_context = _context.get()
        return record

    factory.portal_context = True
    logging.setLogRecordFactory(factory)


_install_record_factory()


def record_context(record: logging.LogRecord) -> dict:
    return dict(getattr(record, "portal_context", None) or {})


def _extras(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items() if k not in _RESERVED}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, UTC)
                .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "level": record.levelname, "logger": record.name,
                "message": record.getMessage()}
        line.update(record_context(record))
        line.update(_extras(record))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    """The demo's: level, logger and message, the request id when there is one (honcho
    already prefixes each line with the time and the process)."""

    def format(self, record: logging.LogRecord) -> str:
        ctx = record_context(record)
        rid = f" [{ctx['request_id']}]" if ctx.get("request_id") else ""
        text = f"{record.levelname} {record.name}{rid}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def uvicorn_config() -> dict:
    """uvicorn's own loggers (startup, WebSocket handshakes, errors) in the same format;
    its access log is off: the request line (portal.request) is the one per request."""
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"portal": {"()": f"portal.logs.{log_format().title()}Formatter"}},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "portal",
                                 "stream": "ext://sys.stderr"}},
        "loggers": {"uvicorn": {"handlers": ["default"], "level": "INFO",
                                "propagate": False}},
    }


def _calls_fields(counter) -> dict:
    calls = list(counter.calls) if counter is not None else []
    return {"cloud_calls": len(calls), "cloud": [c.as_dict() for c in calls]}


def request_finished(request, response, duration_ms: float) -> None:
    """The request's one line (probes are not logged: a balancer asks every second)."""
    status = response.status_code
    level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 \
        else logging.INFO
    calls = _calls_fields(getattr(request, "cloud_calls", None))
    request_log.log(level, "%s %s %s", request.method, request.path, status, extra={
        "method": request.method, "path": request.path, "status": status,
        "duration_ms": round(duration_ms, 1), **calls})


# --- Celery: one line per task ---------------------------------------------------------

_tasks: dict[str, tuple] = {}        # task id → (context reset, counter reset, started)


def task_started(task_id=None, task=None, **kwargs) -> None:
    from . import cloud
    from .cloudcalls import CallCounter

    counter = CallCounter()
    reset = _context.set({"task": task.name, "task_id": task_id})
    counting = cloud.counting(counter)
    counting.__enter__()
    _tasks[task_id] = (reset, counting, counter, time.perf_counter())


def task_finished(task_id=None, task=None, retval=None, state=None, **kwargs) -> None:
    entry = _tasks.pop(task_id, None)
    if entry is None:
        return
    reset, counting, counter, started = entry
    duration_ms = (time.perf_counter() - started) * 1000
    try:
        from . import metrics

        metrics.observe_task(task.name, state, duration_ms)
        quiet = getattr(task, "quiet", None)
        level = logging.INFO
        if state not in ("SUCCESS", "RETRY"):
            level = logging.ERROR
        elif quiet is not None and quiet(retval):
            level = logging.DEBUG              # e.g. a poll tick that was not due
        task_log.log(level, "%s %s", task.name, state, extra={
            "state": state, "duration_ms": round(duration_ms, 1),
            **_calls_fields(counter)})
    finally:
        counting.__exit__(None, None, None)
        _context.reset(reset)


def connect_celery() -> None:
    """Celery's signals: the task line, and Celery leaves Django's LOGGING alone (a
    setup_logging receiver tells it not to configure the root logger itself)."""
    from celery import signals

    signals.task_prerun.connect(task_started, weak=False)
    signals.task_postrun.connect(task_finished, weak=False)
    signals.setup_logging.connect(_keep_django_logging, weak=False)
    signals.worker_process_shutdown.connect(_process_exited, weak=False)


def _process_exited(pid=None, **kwargs) -> None:
    from . import metrics

    metrics.process_exited(pid or os.getpid())


def _keep_django_logging(**kwargs) -> None:
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
