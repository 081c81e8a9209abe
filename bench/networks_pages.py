"""Server-side time and cloud API calls of the networks and floating IP list pages with
500 networks, 1,000 subnets and 2,000 floating IPs in one project (devcloud of its own).

    .venv/bin/python bench/networks_pages.py [--requests 40]

Reads the portal's own cost headers (Server-Timing app;dur, X-Cloud-Calls) and checks the
call count against devcloud's /devcloud/stats. Target: p50 < 150 ms, <= 3 calls a page.
"""

import argparse
import os
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
from bench.vmsbench import server_timing  # noqa: E402


def seed(dc, conn, admin) -> None:
    pid = conn.current_project_id
    admin.network.update_quota(pid, networks=-1, subnets=-1, floating_ips=-1, ports=-1,
                               routers=-1)
    pool = admin.network.create_network(name="bench-pool", is_router_external=True,
                                        provider_network_type="vlan", provider_segmentation_id=3500,
                                        provider_physical_network="physnet1")
    admin.network.create_subnet(network_id=pool.id, cidr="100.64.0.0/20", ip_version=4,
                                enable_dhcp=False,
                                allocation_pools=[{"start": "100.64.0.10",
                                                   "end": "100.64.15.250"}])

    def network(i):
        net = conn.network.create_network(name=f"bench-{i:03d}")
        for j in range(2):
            cidr = f"10.{i // 2}.{(i % 2) * 2 + j}.0/24"
            conn.network.create_subnet(network_id=net.id, cidr=cidr, ip_version=4)

    with ThreadPoolExecutor(16) as pool_x:
        list(pool_x.map(network, range(500)))
        list(pool_x.map(lambda _: conn.network.create_ip(floating_network_id=pool.id),
                        range(2000)))


def measure(client, url: str, n: int, dc) -> dict:
    client.get(url)  # warm: version discovery, template loading
    times, calls = [], set()
    dc.admin_api("DELETE", "stats")
    for _ in range(n):
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        times.append(server_timing(resp)["app"])
        calls.add(int(resp["X-Cloud-Calls"]))
    stats = dc.admin_api("GET", "stats")
    api_calls = sum(v for k, v in stats["counts"].items() if not k.startswith("identity")
                    ) if isinstance(stats["counts"], dict) else None
    times.sort()
    return {"url": url, "p50": statistics.median(times),
            "p95": times[max(0, round(0.95 * len(times)) - 1)], "calls": sorted(calls),
            "devcloud_calls_per_page": api_calls / n if api_calls is not None else None}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=40)
    args = ap.parse_args()
    from devcloud import testing

    with tempfile.TemporaryDirectory() as tmp, \
            testing.running(Path(tmp) / "state") as dc:
        import django
        import openstack

        django.setup()
        from django.conf import settings
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()
        settings.KEYSTONE_URL = dc.auth_url
        settings.OS_CLIENT_CONFIG_FILE = str(dc.clouds_yaml)
        settings.OS_CLOUD = "devcloud-portal"
        settings.DATABASES["default"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)

        def connect(user, project):
            return openstack.connect(auth_url=dc.auth_url, username=user, password=user,
                                     project_name=project, user_domain_name="Default",
                                     project_domain_name="Default", region_name="RegionOne")

        conn, admin = connect("demo", "demo"), connect("admin", "admin")
        seed(dc, conn, admin)
        client = Client()
        client.post("/login/", {"domain": "Default", "username": "demo", "password": "demo"})
        for url in ("/network/", "/network/floating-ips/"):
            r = measure(client, url, args.requests, dc)
            print(f"{r['url']:24} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
                  f"X-Cloud-Calls {r['calls']}  devcloud calls/page "
                  f"{r['devcloud_calls_per_page']}")


if __name__ == "__main__":
    main()
