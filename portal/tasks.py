"""The portal's own periodic tasks (Celery beat)."""

import logging

from celery import shared_task

from . import housekeeping as pruning

log = logging.getLogger(__name__)


@shared_task(name="portal.tasks.housekeeping", ignore_result=True,
             quiet=staticmethod(lambda gone: not any((gone or {}).values())))
def housekeeping() -> dict:
    gone = pruning.run()
    if any(gone.values()):
        log.info("housekeeping pruned %s", ", ".join(f"{n} {what}" for what, n in gone.items()
                                                     if n))
    return gone
