"""The Celery app: broker on REDIS_URL (REDIS_BROKER_URL), tasks discovered from every
app's tasks.py; one log line per task, in the portal's format (portal/logs.py)."""

import os

from celery import Celery

from portal import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("stackport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logs.connect_celery()
