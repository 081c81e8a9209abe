"""The portal's own time per page: server time minus the wall time of the cloud calls it
waited for (Server-Timing `app`, `cloud`, `own`), with the page's call count, beside the
raw API calls the page needs made by openstacksdk on one kept connection in the same run.

    .venv/bin/python bench/page_overhead.py --cloud devcloud [--requests 30] [--servers 20]
    .venv/bin/python bench/page_overhead.py --cloud realcloud [--requests 30] [--servers 20]
    .venv/bin/python bench/page_overhead.py [--cloud realcloud] --servers 1000 \
        --networks 500 --fips 2000 --skip-empty        (scale)

devcloud: starts its own devcloud and portal. realcloud: needs ../shared/realcloud running
(make test-realcloud starts it; never run this beside it: they share the demo project);
starts its own portal. Pages that are not there (an app not installed, a 404) are left
out. On the real cloud it deletes what it made (servers, networks, floating IPs, the
bench pool) and puts the demo project's quotas back, also when interrupted; on devcloud,
whose state goes with the run, it leaves them. A scale run on the real cloud takes a few
minutes to seed (the fake virt driver builds ten servers at a time) and as many to clean.
`ratio` is the page's server time over its raw calls' time: what the portal adds to what
the cloud takes, at that size. `--as-is` measures the cloud as it is, making and deleting
nothing (a cloud seeded by an earlier run, or one of your own). The portal's database is
an SQLite file unless `--database` names another: a PostgreSQL URL measures the layout
production runs (docker-compose), whose sessions come from a pool instead of a new
SQLite connection per request.
"""

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import openstack
import requests
from openstack import utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import scale_seed, vmsbench  # noqa: E402
from bench.vmsbench import pct, server_timing  # noqa: E402

# page → the raw calls it makes (as the page makes them: same filters, limits, sort and
# microversion), in stages: the calls of one stage run concurrently (so the page waits for
# the slowest), a stage waits for the one before it. A path may be a function of the
# previous stage's answers and the connection (the networks page asks for the subnets of
# the networks shown). A third item is the microversion the page asks for.
SORTED = "limit=51&sort_key={}&sort_key=id&sort_dir=asc&sort_dir=asc"


def _subnets_of(previous, conn) -> str:
    ids = [n["id"] for n in previous[0]["networks"]]
    return "/subnets?" + "&".join(f"network_id={i}" for i in ids)


def _project(template: str):
    return lambda previous, conn: template.format(conn.current_project_id)


PAGES = {
    "instances": ("/servers/", [[("compute", "/servers/detail?limit=50", "2.100")]]),
    "networks": ("/network/", [[("network", "/networks?" + SORTED.format("name"))],
                               [("network", _subnets_of)]]),
    "floating IPs": ("/network/floating-ips/", [[
        ("network", "/floatingips?" + SORTED.format("floating_ip_address")),
        ("network", "/networks?router:external=True"),
        ("compute", "/servers")]]),
    "images": ("/images/", [[("image", "/images?limit=50")]]),
    "volumes": ("/volumes/", [[("block_storage", "/volumes/detail?limit=50", "3.60"),
                               ("compute", "/servers"),
                               ("block_storage", "/snapshots/detail", "3.60")]]),
    "overview": ("/overview/usage/", [[
        ("compute", "/limits"), ("compute", "/os-keypairs"),
        ("network", _project("/quotas/{}/details")),
        ("block_storage", _project("/os-quota-sets/{}?usage=True"))]]),
}


def measure_page(session, url: str, path: str, n: int) -> dict | None:
    first = session.get(url + path)  # warm: version discovery, image names
    if first.status_code == 404:
        return None
    first.raise_for_status()
    app, cloud, own, cpu, calls = [], [], [], [], set()
    for _ in range(n):
        resp = session.get(url + path)
        resp.raise_for_status()
        t = server_timing(resp.headers)
        app.append(t["app"])
        cloud.append(t.get("cloud", float("nan")))
        own.append(t.get("own", float("nan")))
        cpu.append(t.get("cpu", float("nan")))
        calls.add(int(resp.headers["X-Cloud-Calls"]))
    return {"app": app, "cloud": cloud, "own": own, "cpu": cpu, "calls": sorted(calls)}


def raw_call_ms(conn, stages, n: int) -> float:
    """What the page's raw calls cost on one kept connection: per stage the p50 of its
    slowest call, summed over the stages (the least a page making them could wait)."""
    if not stages:
        return float("nan")
    total, previous = 0.0, []
    for stage in stages:
        slowest, answers = 0.0, []
        for service, path, *microversion in stage:
            proxy = getattr(conn, service)
            if callable(path):
                path = path(previous, conn)
            kwargs = {}
            if microversion:  # as the page asks: the highest both sides speak
                kwargs["microversion"] = utils.maximum_supported_microversion(
                    proxy, microversion[0])
            times = []
            for i in range(n + 1):
                started = time.perf_counter()
                resp = proxy.get(path, **kwargs)
                resp.raise_for_status()
                body = resp.json()
                if i:  # the first warms the connection
                    times.append((time.perf_counter() - started) * 1000)
            answers.append(body)
            slowest = max(slowest, pct(times, 50))
        total += slowest
        previous = answers
    return total


def report(label: str, session, url: str, conn, n: int) -> None:
    print(f"{label}, {n} requests per page (ms; own = server time - cloud calls' wall time; "
          "cpu = the request thread's CPU time)")
    print(f"  {'page':13} {'server p50':>10} {'p95':>7} {'cloud p50':>9} {'own p50':>8} "
          f"{'own p95':>8} {'cpu p50':>8} {'calls':>6} {'raw calls p50':>13} {'ratio':>6}")
    for name, (path, raw) in PAGES.items():
        try:
            got = measure_page(session, url, path, n)
        except requests.HTTPError as exc:  # said, and the other pages measured still
            print(f"  {name:13} the page answered {exc.response.status_code}")
            continue
        if got is None:
            continue
        try:
            raw_ms = raw_call_ms(conn, raw, n)
        except (openstack.exceptions.SDKException, KeyError):
            raw_ms = float("nan")  # that service is not in this cloud's catalog
        print(f"  {name:13} {pct(got['app'], 50):10.1f} {pct(got['app'], 95):7.1f} "
              f"{pct(got['cloud'], 50):9.1f} {pct(got['own'], 50):8.1f} "
              f"{pct(got['own'], 95):8.1f} {pct(got['cpu'], 50):8.1f} "
              f"{str(got['calls']):>6} {raw_ms:13.1f} "
              f"{pct(got['app'], 50) / raw_ms:6.2f}")


BOOT_BATCH = 100  # servers per multi-create request (Nova's API makes each one's records)


def boot(conn, image_id: str, flavor_id: str, network_id: str, count: int) -> None:
    for left in range(count, 0, -BOOT_BATCH):
        batch = min(left, BOOT_BATCH)
        conn.compute.post("/servers", json={"server": {
            "name": "bench-own", "flavorRef": flavor_id, "imageRef": image_id,
            "networks": [{"uuid": network_id}], "min_count": batch, "max_count": batch}}
        ).raise_for_status()
    deadline = time.monotonic() + 600 + count
    while time.monotonic() < deadline:
        try:
            resp = conn.compute.get("/servers/detail?name=^bench-own&limit=1000")
            resp.raise_for_status()
        except (openstack.exceptions.SDKException, OSError):
            time.sleep(0.5)  # a keep-alive socket closed under the poll: ask again
            continue
        servers = resp.json()["servers"]
        if len(servers) == count and all(s["status"] == "ACTIVE" for s in servers):
            return
        time.sleep(1)
    raise RuntimeError("servers did not become ACTIVE")


def cleanup(conn) -> None:
    servers = list(conn.compute.servers(name="^bench-own"))
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(conn.compute.delete_server, servers))
    for s in servers:
        conn.compute.wait_for_delete(s, wait=300)
    if net := conn.network.find_network("bench-net"):  # the scale run's own /20
        conn.network.delete_network(net)


@contextmanager
def devcloud_portal(tmp: Path, args):
    with vmsbench.stack(tmp, build_delay=0.2, worker=False,
                        database_url=args.database) as st:
        vmsbench.raise_quota(st["dc"], "demo", args.servers + 10)
        conn = vmsbench.connect(st["dc"], "devcloud-demo")
        if args.networks or args.fips:
            admin = vmsbench.connect(st["dc"], "devcloud-admin")
            seed_networks(admin, conn, admin.identity.find_project("demo").id, args)
        yield st["url"], conn, "demo", "demo"


@contextmanager
def realcloud_portal(tmp: Path, args):
    from bench.realcloud_pages import start_portal
    from tests import realcloud

    admin = realcloud.admin(realcloud.REALCLOUD_DIR)
    servers = args.servers
    project = admin.identity.find_project("demo")
    conn = openstack.connect(auth_url=realcloud.KEYSTONE, username="demo", password="demo",
                             project_name="demo", user_domain_name="Default",
                             project_domain_name="Default")
    proc = None
    try:
        if not args.as_is:  # --as-is: measure only, make and delete nothing
            admin.compute.update_quota_set(project.id, instances=servers + 10,
                                           cores=servers + 20, ram=512 * (servers + 10))
            if args.networks or args.fips:
                seed_networks(admin, conn, project.id, args)
        proc, url = start_portal(tmp, args.database)
        yield url, conn, "demo", "demo"
    finally:
        if proc:
            proc.terminate()
            proc.wait(10)
        if not args.as_is:
            cleanup(conn)
            if args.networks or args.fips:
                scale_seed.teardown(conn, admin, project.id)
            admin.compute.revert_quota_set(project.id)


def seed_networks(admin, conn, project_id: str, args) -> None:
    scale_seed.raise_network_quota(admin, project_id, args.networks, args.fips)
    started = time.monotonic()
    scale_seed.networks(conn, args.networks)
    if args.fips:
        scale_seed.floating_ips(conn, scale_seed.pool(admin), args.fips)
    print(f"seeded {args.networks} networks and {args.fips} floating IPs in "
          f"{time.monotonic() - started:.0f} s", flush=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cloud", choices=["devcloud", "realcloud"], default="devcloud")
    p.add_argument("--requests", type=int, default=30)
    p.add_argument("--servers", type=int, default=20)
    p.add_argument("--networks", type=int, default=0, help="seed this many")
    p.add_argument("--fips", type=int, default=0, help="seed this many")
    p.add_argument("--skip-empty", action="store_true", help="no run before the boot")
    p.add_argument("--as-is", action="store_true",
                   help="the real cloud as it is: measure only, make and delete nothing")
    p.add_argument("--database", help="the portal's database URL (default: an SQLite file)")
    args = p.parse_args()
    if args.as_is:
        args.servers = args.networks = args.fips = 0
    portal = devcloud_portal if args.cloud == "devcloud" else realcloud_portal
    with tempfile.TemporaryDirectory() as tmp, portal(Path(tmp), args) as \
            (url, conn, user, _password):
        session = vmsbench.login(url, user)
        try:
            if args.as_is:
                report(f"{args.cloud} as it is", session, url, conn, args.requests)
            elif not args.skip_empty:
                report(f"{args.cloud}, 0 servers", session, url, conn, args.requests)
            if args.servers:
                # private's /24 holds ~250 servers; a scale run boots on a /20 of its own
                # (devcloud's tenant network is `private`, the real cloud's `net1`)
                net = (vmsbench.big_network(conn) if args.servers > 200
                       else conn.network.find_network("private")
                       or conn.network.find_network("net1"))
                image = next(i for i in conn.image.images() if i.status == "active")
                flavor = min(conn.compute.flavors(), key=lambda f: (f.ram, f.vcpus))
                started = time.monotonic()
                boot(conn, image.id, flavor.id, net.id, args.servers)
                print(f"booted {args.servers} servers in {time.monotonic() - started:.0f} s",
                      flush=True)
                report(f"{args.cloud}, {args.servers} servers, {args.networks} networks, "
                       f"{args.fips} floating IPs", session, url, conn, args.requests)
        finally:
            session.close()


if __name__ == "__main__":
    main()
