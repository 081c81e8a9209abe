"""Requests/s on the instances page with one and with two web processes behind HAProxy.

    .venv/bin/python bench/scale_out.py [--clients 20] [--seconds 20] [--servers 20]
                                        [--database-url postgres://…]

A devcloud of its own, then for 1 and for 2 web processes the layout of tests/scaled.py
(Debian's HAProxy in front, the same proxy both times), `--clients` logged-in sessions
GETting /servers/ as fast as they are answered for `--seconds`. The database is an SQLite
file unless --database-url names PostgreSQL (a fresh database is made and dropped). On a
2-core machine devcloud, HAProxy and the clients share the cores with the web processes:
the second web process helps as far as a core is free.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import vmsbench  # noqa: E402

from devcloud import testing  # noqa: E402
from tests import scaled  # noqa: E402


def env_for(dc, tmp: Path, database_url: str | None) -> dict:
    return dict(os.environ, PORTAL_TESTING="1", DEBUG="0", SECRET_KEY="bench-" + "s" * 50,
                DATABASE_URL=database_url or f"sqlite:///{tmp / 'portal.sqlite3'}",
                REDIS_URL=vmsbench.REDIS_URL, KEYSTONE_URL=dc.auth_url,
                OS_CLIENT_CONFIG_FILE=str(dc.clouds_yaml), OS_CLOUD="devcloud-portal",
                ALLOWED_HOSTS="127.0.0.1", SESSION_COOKIE_SECURE="0",
                SECURE_SSL_REDIRECT="0", DJANGO_SETTINGS_MODULE="portal.settings",
                PYTHONUNBUFFERED="1", LOG_LEVEL="WARNING", PORTAL_LOG_FORMAT="text")


def load(url: str, clients: int, seconds: float) -> dict:
    sessions = [vmsbench.login(url) for _ in range(clients)]
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    times, statuses, by_web = [], {}, {}

    def client(s):
        while time.monotonic() < stop:
            t0 = time.monotonic()
            try:
                resp = s.get(f"{url}/servers/", timeout=60)
                code, web = resp.status_code, resp.headers.get("X-Stackport-Web", "?")
            except Exception:  # noqa: BLE001 - a failed request is a figure here
                code, web = 0, "-"
            with lock:
                times.append(time.monotonic() - t0)
                statuses[code] = statuses.get(code, 0) + 1
                by_web[web] = by_web.get(web, 0) + 1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, sessions))
    elapsed = time.monotonic() - started
    return {"rps": len(times) / elapsed, "times": times, "statuses": statuses,
            "by_web": by_web}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--servers", type=int, default=20)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    import redis

    redis.Redis.from_url(vmsbench.REDIS_URL).flushdb()
    with tempfile.TemporaryDirectory() as tmp, \
            testing.running(Path(tmp) / "devcloud", "--build-delay", "0.2") as dc:
        vmsbench.raise_quota(dc, "demo", args.servers + 10)
        demo = vmsbench.connect(dc, "devcloud-demo")
        net = vmsbench.big_network(demo)
        image = demo.image.find_image("cirros").id
        demo.compute.create_server(name="bench-scale", flavor_id="1", image_id=image,
                                   networks=[{"uuid": net.id}], min_count=args.servers,
                                   max_count=args.servers)
        print(f"{args.clients} clients, {args.seconds:.0f} s each, /servers/ with "
              f"{args.servers} servers, database "
              f"{'PostgreSQL' if args.database_url else 'SQLite'}")
        for webs in (1, 2):
            run_dir = Path(tmp) / f"webs{webs}"
            run_dir.mkdir()
            database_url, drop = fresh(args.database_url)
            try:
                with scaled.running(env_for(dc, run_dir, database_url), run_dir,
                                    webs=webs) as layout:
                    got = load(layout.url, args.clients, args.seconds)
            finally:
                drop()
            errors = sum(n for code, n in got["statuses"].items() if code != 200)
            print(f"  {webs} web process{'es' if webs > 1 else ''}: {got['rps']:.1f} "
                  f"requests/s, errors {errors}, {vmsbench.summary(got['times'])}, "
                  f"answered by {dict(sorted(got['by_web'].items()))}")


def fresh(base: str | None):
    """A database of its own on the PostgreSQL of `base` (dropped after), or SQLite."""
    if not base:
        return None, lambda: None
    import psycopg

    name = f"bench_scale_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(urlunsplit(urlsplit(base)._replace(path="/postgres")),
                            autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')

    def drop():
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()

    return urlunsplit(urlsplit(base)._replace(path=f"/{name}")), drop


if __name__ == "__main__":
    main()
