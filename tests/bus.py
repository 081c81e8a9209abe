"""The machine's RabbitMQ (127.0.0.1:5672 guest/guest, the real cloud's bus) for tests and
benches that need a notification bus: a virtual host of the caller's own, so the real
cloud's traffic and other runs' devclouds never reach its queues, deleted after (and the
ones runs that died left behind, named with their pid, swept)."""

import os
import shutil
import socket
import subprocess
import uuid
from contextlib import contextmanager

from tests.realcloud import _alive

HOST, PORT = "127.0.0.1", 5672
SHARED = f"rabbit://guest:guest@{HOST}:{PORT}/"  # the real cloud's own virtual host
PREFIX = "stackport-test-"


def reachable() -> bool:
    try:
        socket.create_connection((HOST, PORT), timeout=1).close()
        return True
    except OSError:
        return False


def _ctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True,
                          text=True, timeout=60).stdout


def can_make_vhosts() -> bool:
    """rabbitmqctl here and allowed to talk to the node (root, or the node's cookie)."""
    if not reachable() or shutil.which("rabbitmqctl") is None:
        return False
    try:
        _ctl("list_vhosts")
        return True
    except (subprocess.SubprocessError, OSError):
        return False


def _sweep() -> None:
    for name in _ctl("list_vhosts", "name").split():
        parts = name[len(PREFIX):].split("-")
        if name.startswith(PREFIX) and parts[0].isdigit() and not _alive(int(parts[0])):
            _ctl("delete_vhost", name)


@contextmanager
def vhost():
    """A transport URL on a fresh virtual host (guest may do anything in it)."""
    _sweep()
    name = f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:6]}"
    _ctl("add_vhost", name)
    try:
        _ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        yield f"rabbit://guest:guest@{HOST}:{PORT}/{name}"
    finally:
        _ctl("delete_vhost", name)
