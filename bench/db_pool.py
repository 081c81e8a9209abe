"""30 clients on the instances page with PostgreSQL: errors, connections, requests/s.

    .venv/bin/python bench/db_pool.py [--clients 30] [--seconds 20] [--pool-max 10]
                                      [--no-pool] [--servers 20]

A devcloud and a portal (uvicorn) of their own, a fresh PostgreSQL database on PG_URL
(postgres://postgres@127.0.0.1:5432/…, dropped after); each client is a logged-in session
GETting /servers/ as fast as it is answered. pg_stat_activity is sampled every 20 ms for
the database's connections. --no-pool runs without psycopg's pool (PORTAL_DB_POOL=0:
a connection per request, closed at its end) to compare; the portal before the pool kept
one per request thread (CONN_MAX_AGE=60) and ran out at 30 clients.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vmsbench  # noqa: E402

PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/test")


def main():
    import psycopg

    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--pool-max", type=int, default=10)
    ap.add_argument("--no-pool", action="store_true")
    ap.add_argument("--servers", type=int, default=20)
    args = ap.parse_args()
    name = f"bench_pool_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(urlunsplit(urlsplit(PG_URL)._replace(path="/postgres")),
                            autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}"))
    env = {"PORTAL_DB_POOL": "0" if args.no_pool else "1",
           "PORTAL_DB_POOL_MAX": str(args.pool_max)}
    try:
        with tempfile.TemporaryDirectory() as tmp, \
                vmsbench.stack(Path(tmp), build_delay=0.2, worker=False,
                               database_url=url, **env) as st:
            dc, base = st["dc"], st["url"]
            vmsbench.raise_quota(dc, "demo", args.servers + 10)
            demo = vmsbench.connect(dc, "devcloud-demo")
            net = vmsbench.big_network(demo)
            image = demo.image.find_image("cirros").id
            demo.compute.create_server(name="bench-pool", flavor_id="1", image_id=image,
                                       networks=[{"uuid": net.id}], min_count=args.servers,
                                       max_count=args.servers)
            sessions = [vmsbench.login(base) for _ in range(args.clients)]
            run(args, base, sessions, admin, name)
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def run(args, base, sessions, admin, name):
    stop = time.monotonic() + args.seconds
    statuses: dict[int, int] = {}
    times: list[float] = []
    lock = threading.Lock()
    peak = [0]

    def client(s):
        while time.monotonic() < stop:
            t0 = time.monotonic()
            try:
                code = s.get(f"{base}/servers/", timeout=60).status_code
            except Exception:  # noqa: BLE001 - a failed request is a figure here
                code = 0
            with lock:
                statuses[code] = statuses.get(code, 0) + 1
                times.append(time.monotonic() - t0)

    def sample():
        while time.monotonic() < stop:
            (count,) = admin.execute("SELECT count(*) FROM pg_stat_activity "
                                     "WHERE datname = %s", (name,)).fetchone()
            peak[0] = max(peak[0], count)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.monotonic()
    sampler.start()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        list(pool.map(client, sessions))
    elapsed = time.monotonic() - started
    sampler.join()
    total = sum(statuses.values())
    errors = total - statuses.get(200, 0)
    mode = "no pool (a connection per request)" if args.no_pool else \
        f"pool max_size={args.pool_max}"
    print(f"{args.clients} clients, {args.seconds:.0f} s, {mode}, "
          f"{args.servers} servers on the page")
    print(f"  requests {total}  errors {errors}  statuses {dict(sorted(statuses.items()))}")
    print(f"  {total / elapsed:.1f} requests/s  latency {vmsbench.summary(times)}")
    print(f"  PostgreSQL connections to the database, peak: {peak[0]}")


if __name__ == "__main__":
    main()
