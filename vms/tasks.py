"""Celery tasks: the periodic poll and its follow-ups (retried with backoff)."""

import logging

from celery import shared_task

from . import followups, poller

log = logging.getLogger(__name__)
BACKOFF = {"countdown_base": 1, "max_retries": 7}  # 1, 2, 4 … 64 s: about two minutes


def _backoff(task) -> int:
    return BACKOFF["countdown_base"] * 2 ** task.request.retries


@shared_task(name="vms.tasks.poll", acks_late=True, ignore_result=True)
def poll():
    """Beat sends this every second; the poller decides whether a poll is due."""
    return poller.tick()


@shared_task(bind=True, name="vms.tasks.check_dhcp_lease", acks_late=True,
             max_retries=BACKOFF["max_retries"], ignore_result=True)
def check_dhcp_lease(self, server_id: str):
    try:
        return followups.dhcp_lease(server_id)
    except followups.NotYet as exc:
        if self.request.retries >= self.max_retries:
            followups.dhcp_lease_missing(server_id)
            return "gave up"
        raise self.retry(exc=exc, countdown=_backoff(self)) from None


@shared_task(bind=True, name="vms.tasks.attach_floating_ip", acks_late=True,
             max_retries=BACKOFF["max_retries"], ignore_result=True)
def attach_floating_ip(self, server_id: str, pool_id: str):
    from openstack import exceptions as os_exc

    try:
        return followups.attach_floating_ip(server_id, pool_id)
    except (followups.NotYet, os_exc.SDKException) as exc:
        if self.request.retries >= self.max_retries:
            followups.floating_ip_failed(server_id, str(exc))
            return "gave up"
        raise self.retry(exc=exc, countdown=_backoff(self)) from None


@shared_task(bind=True, name="vms.tasks.verify_addresses_free", acks_late=True,
             max_retries=BACKOFF["max_retries"], ignore_result=True)
def verify_addresses_free(self, server_id: str):
    try:
        return followups.addresses_free(server_id)
    except followups.NotYet as exc:
        if self.request.retries >= self.max_retries:
            log.warning("addresses of %s still not free: %s", server_id, exc)
            return "gave up"
        raise self.retry(exc=exc, countdown=_backoff(self)) from None
