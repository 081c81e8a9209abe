"""The Celery app: broker on REDIS_URL, tasks discovered from every app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("stackport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
