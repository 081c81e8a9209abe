"""Celery: the images poll, sent by beat every second (settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import poller


@shared_task(name="images.tasks.poll", ignore_result=True,
             quiet=staticmethod(lambda result: not (result or {}).get("changed")))
def poll():
    return poller.tick()
