"""PostgreSQL under ASGI: no connection kept per request thread; psycopg's pool, bounded.

bench/db_pool.py puts 30 clients on the instances page and prints the figures."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import ROOT, run_portal

PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/test")


def pg_reachable() -> bool:
    parts = urlsplit(PG_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 5432), 1).close()
        return True
    except OSError:
        return False


@contextlib.contextmanager
def fresh_database():
    """A database of its own (dropped after), so its connections can be counted."""
    import psycopg

    name = f"stackport_pool_{uuid.uuid4().hex[:8]}"
    admin_url = urlunsplit(urlsplit(PG_URL)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}")), admin, name
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def settings_for(url: str, **env) -> dict:
    code = ("import json; from django.conf import settings; "
            "print(json.dumps(settings.DATABASES['default'], default=str))")
    out = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                         cwd=ROOT, capture_output=True, text=True, check=True,
                         env=dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings",
                                  SECRET_KEY="x" * 50, DATABASE_URL=url, **env)).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_postgresql_goes_through_a_bounded_pool():
    db = settings_for("postgres://u:p@db.example:5432/stackport", PORTAL_DB_POOL_MAX="7")
    assert db["CONN_MAX_AGE"] == 0
    assert db["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 7, "timeout": 10.0}
    assert "pool" not in settings_for("postgres://u:p@db.example/s",
                                      PORTAL_DB_POOL="0").get("OPTIONS", {})
    sqlite = settings_for("sqlite:////tmp/x.sqlite3")
    assert sqlite["CONN_MAX_AGE"] == 0 and "pool" not in sqlite["OPTIONS"]


@pytest.mark.postgres
@pytest.mark.skipif(not pg_reachable(), reason="PostgreSQL does not answer on PG_URL")
def test_concurrent_pages_stay_within_the_pool(cloud, tmp_path):
    with fresh_database() as (url, admin, name):
        with run_portal(cloud, tmp_path, DATABASE_URL=url, PORTAL_DB_POOL_MAX="3") as portal:
            people = [portal.login(who, cloud) for who in ("alice", "bob", "demo")]

            def page(i):
                return people[i % 3].get(f"{portal.url}/servers/", timeout=60).status_code

            peak = 0
            with ThreadPoolExecutor(max_workers=12) as pool:
                pages = [pool.submit(page, i) for i in range(36)]
                while not all(p.done() for p in pages):
                    (count,) = admin.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                        (name,)).fetchone()
                    peak = max(peak, count)
                statuses = [p.result() for p in pages]
    assert statuses == [200] * 36
    assert 1 <= peak <= 3, f"{peak} connections for a pool of 3"
