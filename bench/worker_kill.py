"""A worker SIGKILLed in the middle of a poll: how long until the open page shows ACTIVE.

    .venv/bin/python bench/worker_kill.py [--samples 5] [--build-delay 3]

Each sample, on devcloud with the portal's own web and one Celery worker (with beat):
a server is created with openstacksdk (as the CLI would) while a /ws/events/ listener is
connected as its project's member; devcloud holds Nova's servers/detail open (a fault rule)
so the worker's poll is in flight and holds the poll lease; the worker's whole process group
is SIGKILLed; the fault is lifted and a new worker starts at once. Printed per sample and as
p50/max: seconds from the new worker being ready until the listener got the row ACTIVE
("after back"), and from the kill ("after kill"). The lease (vms.pollstate.LEASE) bounds
the wait for the dead worker's lock; the rest is the new worker's first tick.

Bounded: every wait has a deadline; about 20 s a sample.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import live_cost  # noqa: E402
import redis  # noqa: E402
import vmsbench  # noqa: E402

ROOT = vmsbench.ROOT
wait = live_cost.wait


def start_worker(env: dict, tmp: Path, name: str) -> subprocess.Popen:
    """One worker with beat, in a process group of its own so SIGKILL takes its children."""
    log = tmp / f"{name}.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "-B", "-l", "INFO",
         "--concurrency", "2", "-s", str(tmp / f"{name}-beat"), "-n", f"{name}-{os.getpid()}@%h"],
        cwd=ROOT, env=dict(env, LOG_LEVEL="INFO"), stdout=open(log, "ab"),
        stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait(lambda: b"ready." in log.read_bytes() or proc.poll() is not None, 180,
             f"worker {name} ready", 0.02)
    finally:
        if b"ready." not in log.read_bytes():
            sys.stderr.write(log.read_text()[-3000:])
            kill(proc)
    if proc.poll() is not None:
        raise RuntimeError(f"worker {name} exited: {proc.returncode}")
    return proc


def kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def lock_key(env: dict) -> str:
    """The poll lease's Redis key, as the portal with this environment names it."""
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
                               "from vms import pollstate; print(pollstate._prefix())"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.strip()
    return out + "lock"


def sample(st: dict, worker: subprocess.Popen, n: int, image_id: str, net_id: str):
    """One kill → (after back, after kill, the new worker)."""
    dc, env, tmp = st["dc"], st["env"], st["tmp"]
    r = redis.Redis.from_url(env["REDIS_URL"])
    lock = lock_key(env)
    demo = vmsbench.connect(dc, "devcloud-demo")
    session = vmsbench.login(st["url"])
    with vmsbench.Listener(st["url"], session) as listener:
        server = demo.compute.create_server(name=f"bench-kill-{n}", flavor_id="1",
                                            image_id=image_id, networks=[{"uuid": net_id}])
        dc.admin_api("POST", "faults", {"service": "compute", "method": "GET",
                                        "path": "/servers/detail$", "down": True,
                                        "hold_s": 60})
        try:
            # Wait for a poll that started after the fault: it is the one Nova holds.
            r.delete(lock)
            wait(lambda: r.exists(lock), 30, "a poll holds the lease", step=0.05)
            time.sleep(0.5)
            kill(worker)
            killed = time.time()
        finally:
            dc.admin_api("DELETE", "faults")
        worker = start_worker(env, tmp, f"worker-{n}")
        back = time.time()
        wait(lambda: listener.first_seen("ACTIVE").get(server.id), 90,
             f"{server.id} ACTIVE in the listener", step=0.05)
        seen = listener.first_seen("ACTIVE")[server.id]
    demo.compute.delete_server(server)
    return seen - back, seen - killed, worker


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--build-delay", type=float, default=3.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-kill-") as d, \
            vmsbench.stack(Path(d), build_delay=args.build_delay, worker=False,
                           PORTAL_CLOUD_TIMEOUT="120") as st:
        demo = vmsbench.connect(st["dc"], "devcloud-demo")
        image_id = next(demo.image.images()).id
        net_id = demo.network.find_network("private").id
        worker = start_worker(st["env"], st["tmp"], "worker-0")
        after_back, after_kill = [], []
        try:
            for n in range(1, args.samples + 1):
                b, k, worker = sample(st, worker, n, image_id, net_id)
                after_back.append(b)
                after_kill.append(k)
                print(f"sample {n}: ACTIVE in the page {b:.2f} s after the new worker was "
                      f"ready, {k:.2f} s after the kill", flush=True)
        finally:
            kill(worker)
    print(f"after the new worker was ready: p50 {statistics.median(after_back):.2f} s, "
          f"max {max(after_back):.2f} s; after the kill: p50 "
          f"{statistics.median(after_kill):.2f} s, max {max(after_kill):.2f} s "
          f"(n={args.samples})")


if __name__ == "__main__":
    main()
