"""What the vms benchmarks share: a devcloud, a portal (uvicorn) and a Celery worker+beat
of their own on loopback, a logged-in session and a /ws/events/ listener.

Redis: REDIS_URL or redis://127.0.0.1:6379/12 (flushed at start: the benches own it).
"""

import asyncio
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import openstack
import requests
from openstack.config import loader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from devcloud import testing  # noqa: E402
from portal import serve  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


def server_timing(headers) -> dict[str, float]:
    """The portal's Server-Timing header as {"app": ms, "cloud": ms, "own": ms}: server
    time, the wall time of the cloud calls it waited for, and the difference."""
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r"(\w+);dur=([\d.]+)", headers.get("Server-Timing", ""))}


def pct(values, p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summary(values, unit="ms", scale=1000.0) -> str:
    return (f"n={len(values)} p50={pct(values, 50) * scale:.1f}{unit} "
            f"p95={pct(values, 95) * scale:.1f}{unit} "
            f"mean={statistics.mean(values) * scale:.1f}{unit}")


def connect(dc, cloud_name: str):
    config = loader.OpenStackConfig(config_files=[str(dc.clouds_yaml)])
    return openstack.connection.Connection(config=config.get_one(cloud=cloud_name),
                                           strict_proxies=False)


def _wait_http(url: str, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer") from None
            time.sleep(0.2)


@contextmanager
def stack(tmp: Path, build_delay: float = 1.0, worker: bool = True,
          database_url: str | None = None, devcloud_args: tuple = (), **extra_env):
    """devcloud (with `devcloud_args`, e.g. --notifications URL) + portal (+ worker/beat).
    Yields a dict with dc, url, env. The portal's database is an SQLite file in tmp unless
    `database_url` names another."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with ExitStack() as es:
        dc = es.enter_context(testing.running(tmp / "devcloud", "--build-delay",
                                              str(build_delay), *devcloud_args))
        env = dict(os.environ, PORTAL_TESTING="1", DEBUG="0",
                   SECRET_KEY="bench-only-" + "b" * 40,
                   DATABASE_URL=database_url or f"sqlite:///{tmp / 'portal.sqlite3'}",
                   REDIS_URL=REDIS_URL,
                   KEYSTONE_URL=dc.auth_url, OS_CLIENT_CONFIG_FILE=str(dc.clouds_yaml),
                   OS_CLOUD="devcloud-portal", ALLOWED_HOSTS="127.0.0.1",
                   SESSION_COOKIE_SECURE="0", SECURE_SSL_REDIRECT="0",
                   DJANGO_SETTINGS_MODULE="portal.settings",
                   PYTHONUNBUFFERED="1", LOG_LEVEL="WARNING", **extra_env)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                       cwd=ROOT, env=env, check=True)
        port = testing.free_port()
        procs = [subprocess.Popen(
            serve.command(port), cwd=ROOT, env=env,
            stdout=open(tmp / "web.log", "ab"), stderr=subprocess.STDOUT)]
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_http(f"{url}/login/", procs[0])
            if worker:
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "celery", "-A", "portal", "worker", "-B",
                     "-l", "WARNING", "--concurrency", "4", "-s", str(tmp / "beat"),
                     "-n", f"bench-{port}@%h"], cwd=ROOT, env=env,
                    stdout=open(tmp / "celery.log", "ab"), stderr=subprocess.STDOUT))
                time.sleep(4)  # worker and beat up; the first tick follows
            yield {"dc": dc, "url": url, "env": env, "tmp": tmp}
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()


def login(url: str, user: str = "demo") -> requests.Session:
    s = requests.Session()
    s.get(f"{url}/login/").raise_for_status()
    resp = s.post(f"{url}/login/", data={"csrfmiddlewaretoken": s.cookies["csrftoken"],
                                         "domain": "Default", "username": user,
                                         "password": user},
                  headers={"Referer": f"{url}/login/"})
    resp.raise_for_status()
    return s


def raise_quota(dc, project_name: str, instances: int) -> None:
    admin = connect(dc, "devcloud-admin")
    project = admin.identity.find_project(project_name)
    admin.set_compute_quotas(project.id, instances=instances, cores=instances,
                             ram=instances * 512)
    admin.network.update_quota(project.id, port=instances + 50)


def big_network(conn, name="bench-net", cidr="10.200.0.0/20"):
    net = conn.network.create_network(name=name)
    conn.network.create_subnet(network_id=net.id, cidr=cidr, ip_version=4,
                               name=f"{name}-subnet")
    return net


ROW = re.compile(r'<tr id="server-([0-9a-f-]{36})"[^>]*data-status="(\w+)"')


class Listener:
    """A /ws/events/ client in a thread: every row update as (time, server_id, status)."""

    def __init__(self, url: str, session: requests.Session):
        self.ws_url = url.replace("http://", "ws://") + "/ws/events/"
        self.origin = url
        self.cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
        self.events: list[tuple[float, str, str]] = []
        self.ready = threading.Event()
        self.stop = False
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self):
        import websockets

        async with websockets.connect(self.ws_url, origin=self.origin, open_timeout=5,
                                      additional_headers={"Cookie": self.cookie},
                                      max_size=None) as ws:
            self.ready.set()
            while not self.stop:
                try:
                    msg = await asyncio.wait_for(ws.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                now = time.time()
                for sid, status in ROW.findall(msg):
                    self.events.append((now, sid, status))

    def __enter__(self):
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("websocket did not connect")
        time.sleep(0.3)
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.thread.join(timeout=5)

    def latest(self) -> dict[str, str]:
        out = {}
        for _, sid, status in self.events:
            out[sid] = status
        return out

    def first_seen(self, status: str) -> dict[str, float]:
        out = {}
        for t, sid, st in self.events:
            if st == status and sid not in out:
                out[sid] = t
        return out


def nova_list_calls(dc, since: float) -> int:
    calls = dc.admin_api("GET", f"stats?since={since}")["calls"]
    return len([c for c in calls if c["method"] == "GET"
                and c["path"].endswith("/servers/detail") and "all_tenants" in c["query"]])


def launch_form(url: str, s: requests.Session, name: str, network_id: str, image_id: str,
                count: int = 1) -> requests.Response:
    """POST the launch form as a browser would (CSRF token, a fresh request id)."""
    import uuid

    resp = s.post(f"{url}/servers/launch/", data={
        "csrfmiddlewaretoken": s.cookies["csrftoken"], "request_id": uuid.uuid4().hex,
        "name": name, "flavor": "1", "image": image_id, "networks": [network_id],
        "count": count, "key_mode": "none", "security_groups": ["default"],
        "floating_pool": ""}, headers={"Referer": f"{url}/servers/launch/"},
        allow_redirects=False)
    if resp.status_code != 302:
        raise RuntimeError(f"launch refused: {resp.status_code} "
                           f"{re.sub(r'<[^>]+>', ' ', resp.text)[:400]}")
    return resp


def utc_ts(iso: str) -> float:
    from datetime import UTC, datetime

    dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()
