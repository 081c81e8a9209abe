"""What live pages cost the cloud, and how late a change made outside the portal reaches
them, by polling alone or with the cloud's notifications:

    .venv/bin/python bench/live_cost.py                      # devcloud (its own)
    .venv/bin/python bench/live_cost.py --cloud realcloud    # ../shared/realcloud
        [--samples 20] [--window 20] [--burst 100] [--building 100] [--notifications]

--notifications: `manage.py listen_notifications` runs beside the worker (the pollers then
only reconcile, about once a minute, and Nova's, Neutron's and Cinder's notifications kick
them). devcloud is started with --notifications on a RabbitMQ virtual host of the bench's
own (the machine's RabbitMQ at 127.0.0.1:5672, rabbitmqctl: tests/bus.py); the real cloud
uses its own bus.

1. CLI change → browser row: servers stopped and started with openstacksdk (as the
   `openstack` CLI does), at random moments of the poll's second; latency = when a
   /ws/events/ listener got the row with the new status − when the SDK call returned
   ("from the request"), and − when Nova first showed the new status to a 50 ms probe of
   the bench's own ("from Nova").
2. Nova (compute) and Neutron (network) calls per minute, read from the portal's own
   /metrics (every cloud call of web and worker, PROMETHEUS_MULTIPROC_DIR), with 0, 10 and
   100 listeners connected, with nothing building (first, before the bench changes
   anything: the follow-ups of its own stops and deletes, DHCP checks and address checks,
   would count) and with `--building` servers building (devcloud: a long build delay
   keeps them building). The cloud watch (admins' service
   states) is set to once an hour so the figures are the servers' live path alone.
3. `--burst` servers launched in one request through the launch form while the instances
   list is open in Chromium: rows in the browser, how many ACTIVE, how many lost.

Own portal (uvicorn) and Celery worker+beat on loopback, Redis db 14 (flushed:
BENCH_REDIS_URL). On the real cloud, as demo in project demo; everything made is deleted.
Bounded: each wait has a deadline; about 6 minutes on devcloud.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path

os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import openstack  # noqa: E402
import requests  # noqa: E402
import vmsbench  # noqa: E402

from tests import bus  # noqa: E402

ROOT = vmsbench.ROOT
TOKEN = "bench-metrics-" + "t" * 20
REALCLOUD = Path(os.environ.get("REALCLOUD_DIR", ROOT.parent / "shared" / "realcloud"))
LIVE_ENV = {"PORTAL_METRICS_TOKEN": TOKEN, "PORTAL_CLOUD_WATCH_INTERVAL": "3600"}


def wait(cond, timeout: float, what: str, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(step)
    raise RuntimeError(f"timed out: {what}")


WORKER_METRICS: Path | None = None  # the worker's own metrics directory (real cloud)


def calls(url: str) -> dict[str, float]:
    """Cloud API calls so far by service (compute, network, identity, image), from the
    portal's /metrics; on the real cloud, whose other users' changes make the worker
    busier at times, the web's ("web:compute") apart from the worker's."""
    text = requests.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"},
                        timeout=10).text
    out: dict[str, float] = defaultdict(float)
    if WORKER_METRICS is not None:
        from prometheus_client import CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(WORKER_METRICS))
        for service, n in _parse(text).items():
            out[f"web:{service}"] += n
        text = generate_latest(registry).decode()
    for service, n in _parse(text).items():
        out[service] += n
    return out


def _parse(text: str) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for m in re.finditer(r'^stackport_cloud_api_calls_total\{([^}]*)\} (\S+)$', text, re.M):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        out[labels.get("service", "?")] += float(m.group(2))
    return out


@contextmanager
def real_stack(tmp: Path):
    """The portal (web + worker/beat) on the real cloud, its service account os-admin."""
    import redis

    redis.Redis.from_url(vmsbench.REDIS_URL).flushdb()
    env = dict(os.environ, PORTAL_TESTING="1", DEBUG="0", SECRET_KEY="bench-only-" + "b" * 40,
               DATABASE_URL=f"sqlite:///{tmp / 'portal.sqlite3'}", REDIS_URL=vmsbench.REDIS_URL,
               KEYSTONE_URL="http://127.0.0.1:5000/v3",
               OS_CLIENT_CONFIG_FILE=str(REALCLOUD / "clouds.yaml"), OS_CLOUD="os-admin",
               ALLOWED_HOSTS="127.0.0.1", SESSION_COOKIE_SECURE="0",
               DJANGO_SETTINGS_MODULE="portal.settings", PYTHONUNBUFFERED="1",
               LOG_LEVEL="WARNING", PROMETHEUS_MULTIPROC_DIR=str(tmp / "prom"), **LIVE_ENV)
    (tmp / "prom").mkdir()
    (tmp / "prom-worker").mkdir()
    global WORKER_METRICS
    WORKER_METRICS = tmp / "prom-worker"
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,
                   env=env, check=True)
    port = vmsbench.testing.free_port()
    procs = [subprocess.Popen(vmsbench.serve.command(port), cwd=ROOT, env=env,
                              stdout=open(tmp / "web.log", "ab"), stderr=subprocess.STDOUT)]
    url = f"http://127.0.0.1:{port}"
    try:
        vmsbench._wait_http(f"{url}/login/", procs[0])
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "-B", "-l", "WARNING",
             "--concurrency", "4", "-s", str(tmp / "beat"), "-n", f"bench-{port}@%h"],
            cwd=ROOT, env=dict(env, PROMETHEUS_MULTIPROC_DIR=str(WORKER_METRICS)),
            stdout=open(tmp / "celery.log", "ab"),
            stderr=subprocess.STDOUT))
        time.sleep(4)
        yield {"url": url, "env": env, "tmp": tmp}
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()


@contextmanager
def listening(env: dict, tmp: Path, url: str):
    """manage.py listen_notifications on `url` until its --status says it listens, on a
    durable queue of the bench's own, deleted after (a queue nobody reads would keep
    filling with the cloud's notifications)."""
    queue = f"stackport-bench-{uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen([sys.executable, "manage.py", "listen_notifications"],
                            cwd=ROOT, env=dict(env, PORTAL_NOTIFICATIONS_URL=url,
                                               PORTAL_NOTIFICATIONS_QUEUE=queue),
                            stdout=open(tmp / "listener.log", "ab"), stderr=subprocess.STDOUT)
    try:
        wait(lambda: subprocess.run(
            [sys.executable, "manage.py", "listen_notifications", "--status"],
            cwd=ROOT, env=env, capture_output=True).returncode == 0, 90,
            "listener listening", step=0.5)
        time.sleep(2)  # the worker's next poll sets the reconciling pace
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        from kombu import Connection

        from devcloud.notifications import amqp_url

        with Connection(amqp_url(url), connect_timeout=5) as conn:
            conn.channel().queue_delete(queue)


class Cloud:
    """What the bench needs of either cloud: the demo user's connection, an admin's, a
    network to boot on, a way to keep servers building."""

    def __init__(self, kind: str, st: dict):
        self.kind, self.st = kind, st
        if kind == "devcloud":
            self.dc = st["dc"]
            self.demo = vmsbench.connect(self.dc, "devcloud-demo")
            self.admin = vmsbench.connect(self.dc, "devcloud-admin")
            vmsbench.raise_quota(self.dc, "demo", 250)
        else:
            config = openstack.config.OpenStackConfig(
                config_files=[str(REALCLOUD / "clouds.yaml")])
            self.demo = openstack.connection.Connection(config=config.get_one(cloud="os-demo"))
            self.admin = openstack.connection.Connection(
                config=config.get_one(cloud="os-admin"))
        self.prefix = f"lc-{uuid.uuid4().hex[:5]}"
        self.net = self.demo.network.create_network(name=self.prefix)
        self.demo.network.create_subnet(network_id=self.net.id, cidr="10.201.0.0/22",
                                        ip_version=4, name=f"{self.prefix}-subnet")
        self.image = self.demo.image.find_image("cirros").id

    def build_delay(self, seconds: float) -> None:
        if self.kind == "devcloud":
            self.dc.admin_api("POST", "config", {"build_delay": seconds})

    def boot(self, name: str):
        return self.demo.compute.create_server(name=name, flavor_id="1", image_id=self.image,
                                               networks=[{"uuid": self.net.id}])

    def mine(self) -> list:
        return [s for s in self.demo.compute.servers() if s.name.startswith(self.prefix)]

    def clean(self) -> None:
        for s in self.mine():
            self.demo.compute.delete_server(s, ignore_missing=True)
        wait(lambda: not self.mine(), 300, "servers deleted", step=1)
        self.demo.network.delete_network(self.net)


def latency(c: Cloud, url: str, session, samples: int, mode: str) -> None:
    servers = [c.boot(f"{c.prefix}-lat{i}") for i in range(3)]
    for s in servers:
        c.demo.compute.wait_for_server(s, wait=120)
    time.sleep(2)
    from_request, from_nova = [], []
    with vmsbench.Listener(url, session) as ws:
        for i in range(samples):
            s = servers[i % len(servers)]
            want = "SHUTOFF" if c.demo.compute.get_server(s.id).status == "ACTIVE" else "ACTIVE"
            time.sleep(random.uniform(0.2, 1.2))  # any moment of the poll's second
            seen = len(ws.events)
            (c.demo.compute.stop_server if want == "SHUTOFF" else c.demo.compute.start_server)(s)
            sent = time.time()
            shown = wait(lambda s=s, want=want: c.demo.compute.get_server(s.id).status == want
                         and time.time(), 120, f"{s.name} {want} in Nova", step=0.05)
            arrived = wait(lambda s=s, want=want, seen=seen: next(
                (t for t, sid, st in ws.events[seen:] if sid == s.id and st == want), None),
                60, f"{s.name} {want} row")
            from_request.append(arrived - sent)
            from_nova.append(arrived - shown)
    print(f"CLI change → browser row, {mode} ({c.kind}, {samples} stop/start):")
    print(f"  from the request returning: {vmsbench.summary(from_request)}")
    print(f"  from Nova showing it:       {vmsbench.summary(from_nova)}")
    for s in servers:
        c.demo.compute.delete_server(s)


def per_minute(url: str, session, listeners: int, window: float) -> dict[str, float]:
    with ExitStack() as es:
        for _ in range(listeners):
            es.enter_context(vmsbench.Listener(url, session))
        time.sleep(2)
        before = calls(url)
        time.sleep(window)
        after = calls(url)
    keys = set(after) | ({"web:compute", "web:network"} if WORKER_METRICS else set())
    return {k: (after.get(k, 0) - before.get(k, 0)) * 60 / window for k in keys}


def cost(c: Cloud, url: str, session, window: float, building: int, mode: str) -> None:
    """Calls per minute with `building` servers building (0: a quiet cloud; measured
    before anything else, while no follow-up of the bench's own changes is running)."""
    rows = []
    for label, count in ((f"{building} building", building),):
        if count:
            # long enough for three windows and 100 listeners connecting (~0.3 s each)
            c.build_delay(3 * window + 240)
            vmsbench.launch_form(url, session, f"{c.prefix}-b", c.net.id, c.image, count=count)
            wait(lambda count=count: len(c.mine()) >= count, 60, "servers listed")
        for listeners in (0, 10, 100):
            got = per_minute(url, session, listeners, window)
            web = (f"| web processes: Nova {got['web:compute']:.1f}/min, Neutron "
                   f"{got['web:network']:.1f}/min" if WORKER_METRICS else "")
            rows.append((label, listeners, got.get("compute", 0), got.get("network", 0), "",
                         web))
        if count:
            still = sum(1 for s in c.mine() if s.status == "BUILD")
            rows[-1] = (*rows[-1][:4], f"({still} still building at the end)", rows[-1][5])
            c.build_delay(1)
    print(f"Cloud calls per minute, {mode} ({c.kind}, {window:.0f} s windows):")
    for r in rows:
        who = "worker: " if WORKER_METRICS else ""
        print(f"  {r[0]:<13} {r[1]:>3} listeners: {who}Nova {r[2]:6.1f}/min, Neutron "
              f"{r[3]:6.1f}/min {r[5]} {r[4]}")


def burst(c: Cloud, url: str, session, count: int, kind: str) -> None:
    from playwright.sync_api import sync_playwright

    c.build_delay(3)
    for s in c.mine():
        c.demo.compute.delete_server(s)
    wait(lambda: not c.mine(), 300, "earlier servers deleted", step=1)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox"])
        page = browser.new_context().new_page()
        page.context.add_cookies([{"name": k, "value": v, "url": url}
                                  for k, v in session.cookies.items()])
        page.goto(f"{url}/servers/?name={c.prefix}-burst")
        page.wait_for_selector("body[data-live=open]")
        started = time.time()
        vmsbench.launch_form(url, session, f"{c.prefix}-burst", c.net.id, c.image, count=count)

        def rows():
            return page.eval_on_selector_all(
                "tbody#server-rows tr[data-live-key]",
                "rs => rs.map(r => [r.id, r.dataset.status])")

        try:
            wait(lambda: sum(1 for _, st in rows() if st == "ACTIVE") >= count, 600,
                 "every row ACTIVE", step=0.5)
        except RuntimeError:
            pass
        took = time.time() - started
        got = rows()
        ids = [i for i, _ in got]
        in_nova = {f"server-{s.id}" for s in c.mine() if s.name.startswith(f"{c.prefix}-burst")}
        active = sum(1 for _, st in got if st == "ACTIVE")
        print(f"{count} servers launched in one request ({kind}): {len(in_nova)} in Nova, "
              f"{len(set(ids))} rows in the browser ({len(ids) - len(set(ids))} twice), "
              f"{active} ACTIVE, {len(in_nova - set(ids))} lost; all ACTIVE after {took:.1f} s")
        browser.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cloud", choices=["devcloud", "realcloud"], default="devcloud")
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--window", type=float, default=20.0)
    ap.add_argument("--building", type=int, default=100, help="devcloud only")
    ap.add_argument("--burst", type=int, default=None,
                    help="servers in one launch (default 100 on devcloud, 0 on the real "
                         "cloud, whose demo quota is 10)")
    ap.add_argument("--notifications", action="store_true",
                    help="the notification listener runs (devcloud sends to a bus)")
    args = ap.parse_args()
    mode = "with notifications" if args.notifications else "polling alone"
    burst_count = args.burst if args.burst is not None else (
        100 if args.cloud == "devcloud" else 0)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as es:
        tmp = Path(tmp)
        bus_url = None
        if args.notifications:
            bus_url = es.enter_context(bus.vhost() if args.cloud == "devcloud"
                                       else nullcontext(bus.SHARED))
        if args.cloud == "devcloud":
            (tmp / "prom").mkdir()
            st = es.enter_context(vmsbench.stack(
                tmp, build_delay=1.0, PROMETHEUS_MULTIPROC_DIR=str(tmp / "prom"),
                devcloud_args=("--notifications", bus_url) if bus_url else (), **LIVE_ENV))
        else:
            st = es.enter_context(real_stack(tmp))
        if bus_url:
            es.enter_context(listening(st["env"], tmp, bus_url))
        url = st["url"]
        c = Cloud(args.cloud, st)
        try:
            session = vmsbench.login(url)
            cost(c, url, session, args.window, 0, mode)
            if args.samples:
                latency(c, url, session, args.samples, mode)
            if args.building and c.kind == "devcloud":
                cost(c, url, session, args.window, args.building, mode)
            if burst_count:
                burst(c, url, session, burst_count, args.cloud)
        finally:
            c.build_delay(1)
            c.clean()


if __name__ == "__main__":
    main()
