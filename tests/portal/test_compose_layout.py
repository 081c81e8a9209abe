"""docker-compose.yml's layout, proven as host processes with the same commands (no
container engine runs on this machine: the docker CLI is there, no daemon).

The build's collectstatic (Dockerfile), the one-shot `migrate`, two `web` (as with
`--scale web=2`), one `worker` and one `beat`, each started from its compose `command`,
each judged by its compose `healthcheck` command."""

import os
import re
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from devcloud import testing
from tests.conftest import ROOT, portal_env

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def argv(command) -> list[str]:
    """A compose command (string or list) as argv on this host: `python` is this
    interpreter, `celery` this venv's."""
    parts = shlex.split(command) if isinstance(command, str) else list(command)
    if parts[0] == "python":
        parts[0] = sys.executable
    elif parts[0] == "celery":
        parts[:1] = [sys.executable, "-m", "celery"]
    return parts


def replaced(parts: list[str], option: str, value: str) -> list[str]:
    parts = list(parts)
    parts[parts.index(option) + 1] = value
    return parts


def healthcheck(service: str, **swap) -> list[str]:
    test = SERVICES[service]["healthcheck"]["test"]
    assert test[0] == "CMD", f"{service}: a healthcheck command, not a shell line"
    parts = argv(test[1:])
    for old, new in swap.items():
        parts = [p.replace(old, new) for p in parts]
    return parts


def healthy(parts, env) -> tuple[bool, str]:
    done = subprocess.run(parts, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=30)
    return done.returncode == 0, done.stdout + done.stderr


def wait_healthy(parts, env, procs, within=40.0) -> str:
    deadline = time.monotonic() + within
    while True:
        ok, said = healthy(parts, env)
        if ok:
            return said
        for proc in procs:
            assert proc.poll() is None, f"{proc.args} exited: see its log"
        assert time.monotonic() < deadline, f"never healthy: {parts}: {said}"
        time.sleep(0.5)


@pytest.fixture
def layout_env(cloud, tmp_path):
    return dict(portal_env(cloud, tmp_path / "portal.sqlite3"),
                PORTAL_STATIC_COLLECTED="1", PORTAL_STATIC_ROOT=str(tmp_path / "static"),
                PORTAL_BEAT_HEARTBEAT=str(tmp_path / "beat-heartbeat"),
                PORTAL_CELERY_QUEUE=f"stackport-layout-{uuid.uuid4().hex[:8]}",
                PORTAL_LOG_FORMAT="json")


def test_the_compose_layout_runs_as_host_processes(cloud, tmp_path, layout_env):
    env = layout_env
    # The image's build step, as the Dockerfile runs it.
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "manage.py collectstatic --noinput" in dockerfile
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True, timeout=300)
    # The one-shot migrate, to completion, before anything else starts.
    subprocess.run(argv(SERVICES["migrate"]["command"]), cwd=ROOT, env=env, check=True,
                   timeout=120)
    ports = [testing.free_port(), testing.free_port()]
    logs = {}

    def start(name, parts, extra=None):
        logs[name] = tmp_path / f"{name}.log"
        return subprocess.Popen(parts, cwd=ROOT, env=dict(env, **(extra or {})),
                                stdout=open(logs[name], "ab"), stderr=subprocess.STDOUT)

    # The worker's own environment from compose, on this host's paths and a free port.
    worker_env = dict(SERVICES["worker"]["environment"])
    assert worker_env["PORTAL_WORKER_METRICS_PORT"] in SERVICES["worker"]["expose"]
    (tmp_path / "worker-metrics").mkdir()
    metrics_port = testing.free_port()
    worker_env.update(PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "worker-metrics"),
                      PORTAL_WORKER_METRICS_PORT=str(metrics_port),
                      PORTAL_WORKER_METRICS_ADDR="127.0.0.1")

    web = argv(SERVICES["web"]["command"])
    worker_name = f"layout-{uuid.uuid4().hex[:6]}@{os.uname().nodename}"
    procs = [start(f"web{i}", replaced(replaced(web, "--port", str(port)), "--host",
                                       "127.0.0.1")) for i, port in enumerate(ports)]
    procs.append(start("worker", argv(SERVICES["worker"]["command"]) + ["-n", worker_name],
                       worker_env))
    procs.append(start("beat", replaced(argv(SERVICES["beat"]["command"]), "--schedule",
                                        str(tmp_path / "beat-schedule"))))
    try:
        for port in ports:
            said = wait_healthy(healthcheck("web", **{"127.0.0.1:8000": f"127.0.0.1:{port}"}),
                                env, procs)
            assert '"status": "ready"' in said
        said = wait_healthy(healthcheck("beat"), env, procs)
        assert "last heartbeat" in said
        # The worker's: a ping to its node (celery@<container hostname> in compose).
        ping = SERVICES["worker"]["healthcheck"]["test"][1]
        assert "celery@$$HOSTNAME" in ping
        wait_healthy(argv(ping.replace("celery@$$HOSTNAME", worker_name)), env, procs)
        # Its pool processes' tasks (beat's polls) on its own metrics port.
        from tests.portal.test_metrics import value

        deadline = time.monotonic() + 30
        while not value(requests.get(f"http://127.0.0.1:{metrics_port}/metrics",
                                     timeout=5).text,
                        "stackport_celery_tasks_total", task="vms.tasks.poll",
                        state="SUCCESS"):
            assert time.monotonic() < deadline, "the worker's metrics never counted a poll"
            time.sleep(0.5)

        # Hashed, compressed static files from the collected root, cached for good.
        base = [f"http://127.0.0.1:{port}" for port in ports]
        login_page = requests.get(f"{base[0]}/login/", timeout=10).text
        css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', login_page)
        assert css, "the page does not name the hashed stylesheet"
        resp = requests.get(base[1] + css.group(1), timeout=10,
                            headers={"Accept-Encoding": "gzip"})
        assert resp.status_code == 200 and "immutable" in resp.headers["Cache-Control"]
        assert resp.headers.get("Content-Encoding") == "gzip"

        # A session made through one web process is good on the other.
        from tests.conftest import LivePortal

        alice = LivePortal(base[0], env, procs[0], logs["web0"]).login("alice", cloud)
        assert alice.get(f"{base[1]}/servers/", timeout=30).status_code == 200

        # Beat stops: its heartbeat goes stale and the healthcheck says so.
        procs[-1].terminate()
        procs[-1].wait(timeout=15)
        stale = healthcheck("beat", **{"30": "2"})
        deadline = time.monotonic() + 15
        while healthy(stale, env)[0]:
            assert time.monotonic() < deadline, "beat's heartbeat never went stale"
            time.sleep(0.5)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert Path(env["PORTAL_BEAT_HEARTBEAT"]).exists()
