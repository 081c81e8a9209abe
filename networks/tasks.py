"""Celery tasks: the networks poll (beat sends it every second; the poller decides)."""

from celery import shared_task

from . import poller


@shared_task(name="networks.tasks.poll", acks_late=True, ignore_result=True,
             quiet=staticmethod(lambda result: not (result or {}).get("polled")))
def poll(force: bool = False):
    return poller.tick(force=force)
