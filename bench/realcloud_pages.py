"""The portal's instances, networks and floating IP pages on a real OpenStack: server time
(the portal's own Server-Timing) p50/p95 over N requests, and the cloud API calls each
page makes (X-Cloud-Calls), with 0 and with 20 servers in the demo project.

    .venv/bin/python bench/realcloud_pages.py [--requests 20] [--servers 20]

Needs the control plane of ../shared/realcloud running (make test-realcloud starts it).
Starts its own portal (uvicorn) on loopback; deletes the servers it boots.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openstack
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.vmsbench import _wait_http, pct, server_timing  # noqa: E402
from devcloud.testing import free_port  # noqa: E402
from portal import serve  # noqa: E402
from tests import realcloud  # noqa: E402

PAGES = {"instances": "/servers/", "networks": "/network/",
         "floating IPs": "/network/floating-ips/"}


def start_portal(tmp: Path, database_url: str | None = None) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, PORTAL_TESTING="1", DEBUG="0", SECRET_KEY="bench-" + "k" * 40,
               DATABASE_URL=database_url or f"sqlite:///{tmp / 'portal.sqlite3'}",
               REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
               KEYSTONE_URL=realcloud.KEYSTONE,
               OS_CLIENT_CONFIG_FILE=str(realcloud.clouds_yaml(realcloud.REALCLOUD_DIR)),
               OS_CLOUD="os-admin", ALLOWED_HOSTS="127.0.0.1", SESSION_COOKIE_SECURE="0",
               SECURE_SSL_REDIRECT="0")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    port = free_port()
    proc = subprocess.Popen(serve.command(port), cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _wait_http(f"{url}/login/", proc)
    return proc, url


def login(url: str) -> requests.Session:
    s = requests.Session()
    s.get(f"{url}/login/")
    s.post(f"{url}/login/", data={"csrfmiddlewaretoken": s.cookies["csrftoken"],
                                  "domain": "Default", "username": "demo", "password": "demo"},
           headers={"Referer": f"{url}/login/"}).raise_for_status()
    return s


def measure(session: requests.Session, url: str, n: int) -> None:
    for label, path in PAGES.items():
        session.get(url + path)  # warm: version discovery, image names
        times, calls = [], set()
        for _ in range(n):
            resp = session.get(url + path)
            resp.raise_for_status()
            times.append(server_timing(resp.headers)["app"])
            calls.add(int(resp.headers["X-Cloud-Calls"]))
        print(f"  {label:13} p50 {pct(times, 50):6.1f} ms  p95 {pct(times, 95):6.1f} ms  "
              f"API calls/page {sorted(calls)}")


def boot(conn, count: int) -> list:
    net = conn.network.find_network("private")
    image = conn.image.find_image("cirros")
    conn.compute.create_server(name="bench-page", flavor_id="1", image_id=image.id,
                               networks=[{"uuid": net.id}], min_count=count, max_count=count)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            servers = list(conn.compute.servers(name="^bench-page"))
        except openstack.exceptions.SDKException:
            # This polling connection's socket raced Nova's keep-alive close (gunicorn
            # closes after 2 s, the poll's period): ask again.
            time.sleep(0.5)
            continue
        if len(servers) == count and all(s.status == "ACTIVE" for s in servers):
            return servers
        time.sleep(2)
    raise RuntimeError("servers did not become ACTIVE")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--requests", type=int, default=20)
    p.add_argument("--servers", type=int, default=20)
    args = p.parse_args()
    admin = realcloud.admin(realcloud.REALCLOUD_DIR)
    demo_project = admin.identity.find_project("demo")
    admin.compute.update_quota_set(demo_project.id, instances=args.servers + 10,
                                   cores=args.servers + 20, ram=512 * (args.servers + 10))
    conn = openstack.connect(auth_url=realcloud.KEYSTONE, username="demo", password="demo",
                             project_name="demo", user_domain_name="Default",
                             project_domain_name="Default")
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_portal(Path(tmp))
        servers = []
        try:
            session = login(url)
            print(f"real cloud, demo project, {args.requests} requests per page")
            print(f"with {len(list(conn.compute.servers()))} servers:")
            measure(session, url, args.requests)
            servers = boot(conn, args.servers)
            print(f"with {len(list(conn.compute.servers()))} servers:")
            measure(session, url, args.requests)
        finally:
            # Every server the bench booted, also when the boot gave up half way.
            servers = list(conn.compute.servers(name="^bench-page")) or servers
            for s in servers:
                conn.compute.delete_server(s)
            for s in servers:
                conn.compute.wait_for_delete(s, wait=120)
            proc.terminate()
            proc.wait(10)
            admin.compute.revert_quota_set(demo_project.id)


if __name__ == "__main__":
    main()
