"""The lock a poller holds while it polls, so two never overlap: a short lease that a
thread renews while the poll runs, however long its cloud calls take (a real Neutron
with thousands of floating IPs takes tens of seconds to list them under load). When the
holder dies (a worker SIGKILLed mid-poll) nothing renews it, and the next tick after
`lease` seconds polls again, instead of every update waiting for a long timeout; and a
long poll is never joined by a second one because a fixed timeout ran out under it."""

import logging
import threading
from contextlib import contextmanager

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as os_exc
from redis.exceptions import LockError, RedisError

from portal.redisconn import client

log = logging.getLogger(__name__)


@contextmanager
def leased(key: str, lease: float):
    """Hold the lock `key` while the block runs (yields False when another holds it)."""
    # thread_local=False: the renewing thread must see the token the poll acquired with.
    lock = client().lock(key, timeout=lease, blocking=False, thread_local=False)
    if not lock.acquire():
        yield False
        return
    done = threading.Event()
    renewer = threading.Thread(target=_renew, args=(lock, done, lease), daemon=True,
                               name="poll-lease")
    renewer.start()
    try:
        yield True
    finally:
        done.set()
        renewer.join()
        try:
            lock.release()
        except LockError:  # the lease lapsed (Redis away too long): another may poll now
            log.warning("poll lease %s lapsed before the poll ended", key)


def run(key: str, lease: float, name: str, poll) -> dict:
    """One poll under the lock `key`: poll()'s answer, or a tick that did not poll, said
    in the answer (another poll holds the lock, the cloud did not answer)."""
    with leased(key, lease) as held:
        if not held:
            return {"polled": False, "reason": "another poll is running"}
        try:
            return poll()
        except (os_exc.SDKException, ks_exc.ClientException) as exc:
            log.warning("%s poll failed: %s", name, exc)
            return {"polled": False, "reason": f"cloud did not answer: {exc}"}


def _renew(lock, done: threading.Event, lease: float) -> None:
    while not done.wait(lease / 3):
        try:
            lock.reacquire()
        except (LockError, RedisError, OSError) as exc:
            log.warning("poll lease not renewed: %s", exc)
            return
