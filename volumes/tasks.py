"""Celery: the volumes poll, sent by beat every second (settings.CELERY_BEAT_SCHEDULE) and
at once by a Cinder notification; pollstate.py says whether it is due."""

import time

from celery import shared_task

from . import poller, pollstate


@shared_task(name="volumes.tasks.poll", ignore_result=True,
             quiet=staticmethod(lambda result: not (result or {}).get("changed")))
def poll():
    started = time.time()
    if not pollstate.due(started):
        return {"polled": False, "reason": "not due"}
    result = poller.tick()
    if result.get("polled"):
        pollstate.polled(started, transitional=result.get("transitional", True))
    return result
