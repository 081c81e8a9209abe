"""Celery: the volumes poll, sent by beat every second (settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import poller


@shared_task(name="volumes.tasks.poll", ignore_result=True,
             quiet=staticmethod(lambda result: not (result or {}).get("changed")))
def poll():
    return poller.tick()
