"""/healthz and /readyz: what a load balancer and the compose healthcheck ask."""

import json
import subprocess
import sys

import pytest
import requests

from devcloud import testing
from portal import health
from tests.conftest import ROOT, portal_env


@pytest.fixture
def probes(portal_settings):
    health.forget()
    yield portal_settings
    health.forget()


def test_healthz_answers_any_host_without_the_database(client, probes):
    # A balancer connects to the process's own address: a Host ALLOWED_HOSTS refuses.
    resp = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert resp.status_code == 200
    assert resp.json() == {"status": "alive"}
    assert resp["Cache-Control"] == "no-store"
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_is_ready_when_everything_answers(client, probes):
    probes.SECURE_SSL_REDIRECT = True       # a plain-HTTP probe behind the TLS proxy
    resp = client.get("/readyz", HTTP_HOST="10.1.2.3:8000")
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"status": "ready", "checks": {
        "database": "ok", "migrations": "ok", "redis": "ok", "keystone": "ok"}}


@pytest.mark.django_db
def test_readyz_says_keystone_does_not_answer(client, probes):
    probes.KEYSTONE_URL = f"http://127.0.0.1:{testing.free_port()}/v3"
    resp = client.get("/readyz")
    assert resp.status_code == 503
    body = resp.json()
    assert body["status"] == "not ready"
    assert body["checks"]["keystone"] != "ok" and "Connect" in body["checks"]["keystone"]
    assert body["checks"]["database"] == body["checks"]["redis"] == "ok"


@pytest.mark.django_db
def test_readyz_names_the_redis_role_that_does_not_answer(client, probes):
    dead = f"redis://127.0.0.1:{testing.free_port()}/0"
    probes.REDIS_ROLES = {**probes.REDIS_ROLES, "cache": dead}
    resp = client.get("/readyz")
    assert resp.status_code == 503
    said = resp.json()["checks"]["redis"]
    assert said.startswith("cache: ") and "broker" not in said and "locks" not in said


def test_readyz_waits_for_migrations(cloud, tmp_path):
    """A database the migrate job has not finished: not ready, with what is missing."""
    env = portal_env(cloud, tmp_path / "portal.sqlite3")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "migrate", "vms", "zero", "--noinput", "-v", "0"], cwd=ROOT,
                   env=env, check=True)
    ask = ("import django, json; django.setup(); from portal import health; "
           "print(json.dumps(health.readiness()))")
    out = subprocess.run([sys.executable, "-c", ask], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    checks = json.loads(out.strip().splitlines()[-1])
    assert checks["database"] == "ok"
    assert "not applied" in checks["migrations"] and "vms.0001" in checks["migrations"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([sys.executable, "-c", ask], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    assert json.loads(out.strip().splitlines()[-1])["migrations"] == "ok"


def test_live_web_process_is_ready(live_portal):
    resp = requests.get(f"{live_portal.url}/readyz", timeout=10)
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "ready"
