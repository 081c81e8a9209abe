"""The Celery app: broker on REDIS_URL (REDIS_BROKER_URL), tasks discovered from every
app's tasks.py; one log line per task, in the portal's format (portal/logs.py); the
settings checked before a worker or beat starts (portal/checks.py)."""

import os

from celery import Celery, signals

from portal import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("stackport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logs.connect_celery()


def _check_settings(process: str) -> None:
    import django

    django.setup()
    from portal import checks

    checks.at_start(process)


def _worker_started(**kwargs) -> None:
    _check_settings("worker")
    from portal import metrics

    metrics.serve_worker_metrics()


signals.worker_init.connect(_worker_started, weak=False)
signals.beat_init.connect(lambda **kwargs: _check_settings("beat"), weak=False)
