"""Console housekeeping on Celery beat."""

import logging

from celery import shared_task

from . import records

log = logging.getLogger(__name__)


@shared_task(name="consoles.tasks.close_lost", ignore_result=True,
             quiet=staticmethod(lambda count: not count))
def close_lost() -> int:
    """End sessions whose web process died (see records.close_lost)."""
    count = records.close_lost()
    if count:
        log.warning("ended %d console session(s) whose relay stopped beating", count)
    return count
