"""The poll lock is a short lease its poll renews while it runs: a poll slower than the
lease keeps it, and a worker SIGKILLed in the middle of a poll frees it within the lease,
so the next worker polls one tick later instead of minutes later."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from tests.conftest import ROOT, portal_env
from vms import pollstate


def wait_for(what, check, timeout: float):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.1)


def start_worker(env: dict, tmp: Path, name: str) -> subprocess.Popen:
    """A worker with beat in a process group of its own (its pool children with it)."""
    log = tmp / f"{name}.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "-B", "-l", "INFO",
         "--concurrency", "1", "-s", str(tmp / f"{name}-beat"), "-n", f"{name}-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
        start_new_session=True)
    wait_for(f"worker {name} ready (see {log})", lambda: b"ready." in log.read_bytes(), 30)
    return proc


def kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


@pytest.mark.devcloud_only(reason="holds Nova's servers/detail open with a devcloud fault "
                                  "rule, so the poll is slower than its lease")
def test_a_worker_killed_mid_poll_frees_the_poll_lock_within_its_lease(cloud, devcloud,
                                                                      tmp_path):
    env = dict(portal_env(cloud, tmp_path / "portal.sqlite3"),
               PORTAL_CELERY_QUEUE=f"lease-{os.getpid()}", PORTAL_CLOUD_TIMEOUT="120")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    prefix = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
                               "from vms import pollstate; print(pollstate._prefix())"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.strip()
    r = redis.Redis.from_url(env["REDIS_URL"])
    lock, last_good = prefix + "lock", prefix + "last_good"
    r.delete(lock, last_good, prefix + "next_at")
    devcloud.admin_api("POST", "faults", {"service": "compute", "method": "GET",
                                          "path": "/servers/detail$", "down": True,
                                          "hold_s": 120})
    first = second = None
    try:
        first = start_worker(env, tmp_path, "first")
        wait_for("the first poll holds the lock", lambda: r.exists(lock), 30)
        held_since = time.monotonic()
        # Past its lease and still held: the poll renews it while Nova keeps it waiting.
        time.sleep(pollstate.LEASE + 2)
        assert r.exists(lock), "the poll lost its lock while it was still running"
        kill(first)
        killed = time.monotonic()
        assert 0 < r.pttl(lock) <= pollstate.LEASE * 1000
    finally:
        devcloud.admin_api("DELETE", "faults")
        if first is not None:
            kill(first)
    assert killed - held_since >= pollstate.LEASE
    wait_for("the dead poll's lock lapses", lambda: not r.exists(lock), pollstate.LEASE + 3)
    try:
        second = start_worker(env, tmp_path, "second")
        wait_for("the next worker polls", lambda: r.exists(last_good), 30)
    finally:
        if second is not None:
            kill(second)
        r.delete(lock, last_good, prefix + "next_at", prefix + "since", prefix + "failures")
