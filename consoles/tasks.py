"""Console housekeeping on Celery beat."""

import logging

from celery import shared_task

from . import live, records

log = logging.getLogger(__name__)


@shared_task(name="consoles.tasks.close_lost", ignore_result=True,
             quiet=staticmethod(lambda count: not count))
def close_lost() -> int:
    """End sessions whose web process died (see records.close_lost)."""
    ended = records.close_lost()
    if ended:
        log.warning("ended %d console session(s) whose relay stopped beating", len(ended))
        live.announce(ended)
    return len(ended)
