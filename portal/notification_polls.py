"""What a notification makes the portal do (portal/notifications.py says what each one
means): kick the polls whose lists it changes and send their tasks at once. Apart from
portal.notifications because it reaches the pollers and Celery, which read the listener's
heartbeat there."""

import time

from portal.notifications import heard, key, message, wanted
from portal.redisconn import client

# Nova's key pair notifications carry the whole key pair (KeypairPayload): its row is
# made from them at once, there being no list of every user's key pairs to poll.
KEYPAIR_EVENTS = {"keypair.create.end": "added", "keypair.import.end": "added",
                  "keypair.delete.end": "removed"}


def handle(body) -> set[str]:
    """Kick the polls a notification calls for; returns them (and "keypairs" when it
    sent a key pair's row to its owner's pages)."""
    msg = message(body)
    event_type = msg.get("event_type") or ""
    if event_type in KEYPAIR_EVENTS:
        return _keypair(KEYPAIR_EVENTS[event_type], msg.get("payload") or {})
    polls = wanted(event_type)
    heard(event_type)
    if "servers" in polls:
        from vms import pollstate as vms_poll

        vms_poll.kick()
    if "networks" in polls:
        from networks import pollstate as networks_poll

        networks_poll.kick()
    if "volumes" in polls:
        from volumes import pollstate as volumes_poll

        volumes_poll.kick()
    if "flavors" in polls:  # its access list may have changed: the flavor's row again
        from vms import flavor_poller

        data = (msg.get("payload") or {}).get("nova_object.data") or {}
        flavor_poller.kick(data.get("flavorid") or "")
    if polls:
        client().set(key("last_message"), time.time())
        _poll_now(polls)
    return polls


TASKS = {"servers": "vms.tasks.poll", "networks": "networks.tasks.poll",
         "volumes": "volumes.tasks.poll", "flavors": "vms.tasks.poll_flavors"}
DEBOUNCE_MS = 200


def _poll_now(polls: set[str]) -> None:
    """Send the kicked polls' tasks now rather than waiting for beat's next second. A
    burst sends one per poll per DEBOUNCE_MS, and one more at the window's end when any
    came inside it: a notification that arrives after the first poll has listed (Nova's
    instance.update, then its instance.create.end 100 ms later) is then seen within
    DEBOUNCE_MS, not at beat's next tick (p95 653 ms from ACTIVE to the row without it).
    The trailing send's countdown ends when its key does, so every notification it
    covers came before its poll lists."""
    from portal.celery import app

    for name in polls:
        if client().set(key(f"sent:{name}"), 1, nx=True, px=DEBOUNCE_MS):
            app.send_task(TASKS[name], expires=5)
        elif client().set(key(f"trailing:{name}"), 1, nx=True, px=DEBOUNCE_MS):
            app.send_task(TASKS[name], countdown=DEBOUNCE_MS / 1000, expires=5)


def _keypair(change: str, payload: dict) -> set[str]:
    from portal.events import publish_to_user
    from vms import fragments

    data = payload.get("nova_object.data") or {}
    if not (data.get("user_id") and data.get("name")):
        return set()
    if change == "added":
        html = fragments.keypair_added(data["user_id"], data)
    else:
        html = fragments.keypair_removed(data["user_id"], data["name"])
    publish_to_user(data["user_id"], html, kind=f"keypair.{change}")
    client().set(key("last_message"), time.time())
    return {"keypairs"}
