"""Celery beat's scheduler, with a heartbeat the beat container's healthcheck reads.

Each tick of the scheduler that went through (the due tasks were sent to the broker) touches
PORTAL_BEAT_HEARTBEAT (portal/healthcheck.py): a file that exists says nothing, a file
touched a second ago says beat is running and reaching the broker.
"""

import os
from pathlib import Path

from celery.beat import PersistentScheduler

from .healthcheck import heartbeat_path


class HeartbeatScheduler(PersistentScheduler):
    _send_failed = False

    def tick(self, *args, **kwargs):
        self._send_failed = False
        interval = super().tick(*args, **kwargs)
        if not self._send_failed:
            beat_now()
        return interval

    def apply_async(self, *args, **kwargs):
        # Celery logs a task it could not send ("Message Error") and goes on ticking: such
        # a tick is not a heartbeat.
        try:
            return super().apply_async(*args, **kwargs)
        except Exception:
            self._send_failed = True
            raise


def beat_now() -> None:
    path = Path(heartbeat_path())
    try:
        path.touch()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    os.utime(path)
