"""Where a page's own time goes: the view run in-process through Django's test client
against a devcloud of its own, timed (Server-Timing) and profiled with cProfile.

    .venv/bin/python bench/profile_page.py [--path /servers/] [--servers 20] [--requests 30]
        [--networks 0] [--fips 0] [--top 30] [--sort cumulative|tottime]

Seeds networks and floating IPs (bench/scale_seed.py) and boots `--servers` servers for
demo (max_count, one call), waits for ACTIVE, then prints
the page's own time p50 over `--requests` requests and the profile of those requests.
Deletes nothing: the devcloud is its own and goes with the run.
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.vmsbench import pct, server_timing  # noqa: E402
from devcloud import testing  # noqa: E402


def setup_django(dc, tmp: Path) -> None:
    os.environ.update(
        PORTAL_TESTING="1", DEBUG="0", SECRET_KEY="bench-only-" + "b" * 40,
        DATABASE_URL=f"sqlite:///{tmp / 'portal.sqlite3'}",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
        KEYSTONE_URL=dc.auth_url, OS_CLIENT_CONFIG_FILE=str(dc.clouds_yaml),
        OS_CLOUD="devcloud-portal", ALLOWED_HOSTS="127.0.0.1,testserver",
        SESSION_COOKIE_SECURE="0", SECURE_SSL_REDIRECT="0",
        DJANGO_SETTINGS_MODULE="portal.settings", LOG_LEVEL="WARNING")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def login(client, user: str = "demo") -> None:
    client.get("/login/")
    resp = client.post("/login/", {"domain": "Default", "username": user, "password": user})
    assert resp.status_code in (302, 303), resp.status_code


def seed(dc, count: int, networks: int = 0, fips: int = 0) -> None:
    from bench import scale_seed, vmsbench
    from bench.page_overhead import boot

    vmsbench.raise_quota(dc, "demo", count + 10)
    conn = vmsbench.connect(dc, "devcloud-demo")
    admin = vmsbench.connect(dc, "devcloud-admin")
    scale_seed.raise_network_quota(admin, admin.identity.find_project("demo").id,
                                   networks, fips)
    scale_seed.networks(conn, networks)
    if fips:
        scale_seed.floating_ips(conn, scale_seed.pool(admin), fips)
    if count:
        net = (vmsbench.big_network(conn) if count > 200
               else conn.network.find_network("private"))
        image = next(i for i in conn.image.images() if i.status == "active")
        flavor = min(conn.compute.flavors(), key=lambda f: (f.ram, f.vcpus))
        boot(conn, image.id, flavor.id, net.id, count)


def chains(stats, pattern: str, depth: int = 14) -> None:
    """Each function matching `pattern`, up its callers: the heaviest caller each step."""
    import re

    for func in [f for f in stats.stats if re.search(pattern, f[2])]:
        print("chain for", func)
        seen, cur = set(), func
        for _ in range(depth):
            callers = stats.stats[cur][4]
            if not callers:
                break
            cur = max(callers, key=lambda c: callers[c][3])
            if cur in seen:
                break
            seen.add(cur)
            print(f"   <- {cur[0].split('site-packages/')[-1]}:{cur[1]} {cur[2]}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--path", default="/servers/")
    p.add_argument("--servers", type=int, default=20)
    p.add_argument("--requests", type=int, default=30)
    p.add_argument("--networks", type=int, default=0)
    p.add_argument("--fips", type=int, default=0)
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--sort", default="cumulative")
    p.add_argument("--callers", default="", help="also print the callers of these")
    p.add_argument("--callees", default="", help="also print what these call")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            testing.running(Path(tmp) / "devcloud", "--build-delay", "0.2") as dc:
        setup_django(dc, Path(tmp))
        from django.test import Client

        seed(dc, args.servers, args.networks, args.fips)
        client = Client()
        login(client)
        client.get(args.path)  # warm: discovery, image names
        own, app = [], []
        prof = cProfile.Profile()
        for _ in range(args.requests):
            prof.enable()
            resp = client.get(args.path)
            prof.disable()
            assert resp.status_code == 200, resp.status_code
            t = server_timing(resp.headers)
            own.append(t["own"])
            app.append(t["app"])
        plain, cpu = [], []
        for _ in range(args.requests):
            started = time.process_time()  # this process's CPU: steadier on a busy machine
            plain.append(server_timing(client.get(args.path).headers)["own"])
            cpu.append((time.process_time() - started) * 1000)
        print(f"{args.path} with {args.servers} servers, {args.requests} requests: "
              f"own p50 {pct(plain, 50):.1f} ms, portal CPU p50 {pct(cpu, 50):.1f} ms "
              f"(profiled: server p50 {pct(app, 50):.1f} ms, "
              f"own p50 {pct(own, 50):.1f} ms); calls {resp['X-Cloud-Calls']}; "
              f"{len(resp.content)} bytes")
        stats = pstats.Stats(prof).sort_stats(args.sort)
        stats.print_stats(args.top)
        if args.callers:
            stats.print_callers(args.callers)
            chains(stats, args.callers)
        if args.callees:
            stats.print_callees(args.callees)


if __name__ == "__main__":
    main()
