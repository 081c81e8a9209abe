"""What a notification makes the portal do (portal/notifications.py says what each one
means): kick the polls whose lists it changes and send their tasks at once. Apart from
portal.notifications because it reaches the pollers and Celery, which read the listener's
heartbeat there."""

import time

from portal.notifications import key, message, wanted
from portal.redisconn import client


def handle(body) -> set[str]:
    """Kick the polls a notification calls for; returns them."""
    msg = message(body)
    polls = wanted(msg.get("event_type") or "")
    if "servers" in polls:
        from vms import pollstate as vms_poll

        vms_poll.kick()
    if "networks" in polls:
        from networks import pollstate as networks_poll

        networks_poll.kick()
    if "volumes" in polls:
        from volumes import pollstate as volumes_poll

        volumes_poll.kick()
    if polls:
        client().set(key("last_message"), time.time())
        _poll_now(polls)
    return polls


TASKS = {"servers": "vms.tasks.poll", "networks": "networks.tasks.poll",
         "volumes": "volumes.tasks.poll"}
DEBOUNCE_MS = 200


def _poll_now(polls: set[str]) -> None:
    """Send the kicked polls' tasks now rather than waiting for beat's next second; a
    burst of notifications sends one per poll per DEBOUNCE_MS (the kick stays, so beat's
    next tick catches what a poll already running missed)."""
    from portal.celery import app

    for name in polls:
        if client().set(key(f"sent:{name}"), 1, nx=True, px=DEBOUNCE_MS):
            app.send_task(TASKS[name], expires=5)
