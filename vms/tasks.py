"""Celery tasks: the periodic poll and its follow-ups.

Celery does the retrying: a follow-up raises followups.NotYet (or a refusal the cloud may
lift) and is tried again 1, 2, 4 … 64 s later (retry_backoff), at most max_retries times,
about two minutes in all. When the last try still fails, FollowUp.on_failure calls the
task's `gave_up`, which says so on the timeline (or in the log).
"""

import logging

from celery import Task, shared_task
from openstack import exceptions as os_exc

from portal.errors import CloudRefused

from . import flavor_poller, followups, poller

log = logging.getLogger(__name__)


@shared_task(bind=True, name="vms.tasks.poll", acks_late=True, ignore_result=True,
             # a tick that did not poll is logged at DEBUG: beat sends one every second
             quiet=staticmethod(lambda result: not (result or {}).get("polled")))
def poll(self, force: bool = False):
    """Beat sends this every second; the poller decides whether a poll is due. The
    follow-ups it calls for are enqueued here, by task name."""
    result = poller.tick(force=force)
    wanted = result.pop("followups", [])
    for name, args in wanted:
        self.app.tasks[name].delay(*args)
    return {**result, "followups": len(wanted)} if result["polled"] else result


@shared_task(name="vms.tasks.poll_flavors", ignore_result=True,
             quiet=staticmethod(lambda result: not (result or {}).get("changed")))
def poll_flavors():
    """Beat sends this every second; the flavors poller decides whether one is due."""
    return flavor_poller.tick()


class FollowUp(Task):
    """A poller follow-up: retried by Celery with exponential backoff; `gave_up(*args,
    reason=...)` runs once when the retries are exhausted."""

    acks_late = True
    ignore_result = True
    autoretry_for = (followups.NotYet,)
    max_retries = 7
    retry_backoff = 1  # seconds before the first retry, doubling each time
    retry_backoff_max = 64
    retry_jitter = False  # the follow-ups of one tick are few: no herd to spread
    gave_up = None

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Only the exceptions Celery retries mean "tried enough"; anything else is a bug
        # and stays a plain task failure in the worker's log.
        if self.gave_up is not None and isinstance(exc, tuple(self.autoretry_for)):
            log.info("%s %s: gave up after %d tries: %s", self.name, args,
                     self.request.retries + 1, exc)
            self.gave_up(*args, reason=str(exc), **kwargs)


@shared_task(base=FollowUp, name=poller.CHECK_DHCP_LEASE,
             gave_up=staticmethod(followups.dhcp_lease_missing))
def check_dhcp_lease(server_id: str):
    return followups.dhcp_lease(server_id)


@shared_task(base=FollowUp, name=poller.ATTACH_FLOATING_IP,
             autoretry_for=(followups.NotYet, CloudRefused, os_exc.SDKException),
             gave_up=staticmethod(followups.floating_ip_failed))
def attach_floating_ip(server_id: str, pool_id: str):
    return followups.attach_floating_ip(server_id, pool_id)


@shared_task(base=FollowUp, name=poller.VERIFY_ADDRESSES_FREE,
             gave_up=staticmethod(followups.addresses_still_held))
def verify_addresses_free(server_id: str):
    return followups.addresses_free(server_id)
