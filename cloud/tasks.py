"""Celery: the slow tick's look at the cloud's services (cloud/watch.py)."""

from celery import shared_task

from . import watch


@shared_task(name="cloud.tasks.watch", ignore_result=True)
def watch_services():
    return watch.look()
