"""/metrics: Prometheus' text format, who may read it, and what it counts."""

import asyncio
import subprocess
import sys
import uuid

import pytest
import redis
import requests
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ROOT, run_portal
from tests.portal.test_events_ws import connect


def samples(text: str) -> dict[tuple, float]:
    """{(sample name, ((label, value), ...)): value} of an exposition."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(text: str, name: str, **labels) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(client) -> str:
    resp = client.get("/metrics")
    assert resp.status_code == 200, resp.content[:300]
    assert resp["Content-Type"].startswith("text/plain; version=")
    return resp.content.decode()


@pytest.mark.django_db
def test_who_may_scrape_is_a_setting(client, settings):
    assert client.get("/metrics").status_code == 200               # loopback, by default
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 403
    settings.METRICS_ALLOW = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics").status_code == 403
    settings.METRICS_ALLOW = []
    settings.METRICS_TOKEN = "scrape-" + uuid.uuid4().hex
    bearer = f"Bearer {settings.METRICS_TOKEN}"
    assert client.get("/metrics", HTTP_AUTHORIZATION=bearer, REMOTE_ADDR="192.0.2.9",
                      HTTP_HOST="10.0.0.1:8000").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics").status_code == 403


@pytest.mark.django_db
def test_requests_and_cloud_calls_by_view_service_and_status(portal_settings, cloud):
    from tests.portal.test_login import login

    person = Client()
    assert login(person, cloud, "alice").status_code == 302
    before = scrape(Client())
    page = person.get("/servers/")
    assert page.status_code == 200
    missing = person.get("/servers/no-such-server/")
    assert missing.status_code == 404
    after = scrape(Client())
    ok = {"view": "vms:list", "method": "GET", "status": "200"}
    assert value(after, "stackport_http_requests_total", **ok) == \
        value(before, "stackport_http_requests_total", **ok) + 1
    hist = {"view": "vms:list", "method": "GET"}
    assert value(after, "stackport_http_request_duration_seconds_count", **hist) == \
        value(before, "stackport_http_request_duration_seconds_count", **hist) + 1
    assert value(after, "stackport_http_requests_total", view="vms:detail", method="GET",
                 status="404") >= 1
    nova_ok = {"service": "compute", "method": "GET", "status": "200"}
    assert value(after, "stackport_cloud_api_calls_total", **nova_ok) >= \
        value(before, "stackport_cloud_api_calls_total", **nova_ok) + 1
    assert value(after, "stackport_cloud_api_calls_total", service="compute", method="GET",
                 status="404") >= 1
    assert value(after, "stackport_cloud_api_call_duration_seconds_count", service="compute",
                 method="GET") > 0


@pytest.mark.django_db
def test_shared_state_queue_poller_and_consoles(portal_settings):
    from consoles.models import ConsoleSession
    from vms import tasks

    # The poll first: the follow-ups it enqueues (for whatever servers earlier tests left
    # changing) must not land in the queue whose depth is read below.
    tasks.poll.apply(kwargs={"force": True})
    queue = f"metrics-test-{uuid.uuid4().hex[:8]}"
    portal_settings.CELERY_TASK_DEFAULT_QUEUE = queue
    broker = redis.Redis.from_url(portal_settings.REDIS_ROLES["broker"])
    broker.rpush(queue, "a", "b")
    broker.rpush(f"{queue}\x06\x163", "c")           # a priority step's list
    try:
        ConsoleSession.objects.create(user_id="u", user_name="u", role="member", via="user",
                                      server_id="s", console_type="novnc", mode="proxy",
                                      started_at=timezone.now())
        text = scrape(Client())
    finally:
        broker.delete(queue, f"{queue}\x06\x163")
    assert value(text, "stackport_celery_queue_depth", queue=queue) == 3
    assert 0 <= value(text, "stackport_poller_last_success_age_seconds") < 60
    assert value(text, "stackport_poller_consecutive_failures") == 0
    assert value(text, "stackport_poller_poll_duration_seconds_count") >= 1
    assert value(text, "stackport_celery_tasks_total", task="vms.tasks.poll",
                 state="SUCCESS") >= 1
    assert value(text, "stackport_console_sessions_open") >= 1


def test_open_websockets_are_counted(live_portal, cloud):
    alice = live_portal.login("alice", cloud)

    def events_open() -> float:
        text = requests.get(f"{live_portal.url}/metrics", timeout=10).text
        return value(text, "stackport_websockets_open", kind="events")

    before = events_open()

    async def hold():
        async with await connect(live_portal, alice):
            await asyncio.sleep(0.2)
            during = await asyncio.to_thread(events_open)
        for _ in range(50):                     # the server sees the close a moment later
            after = await asyncio.to_thread(events_open)
            if after == before:
                break
            await asyncio.sleep(0.1)
        return during, after

    during, after = asyncio.run(hold())
    assert during == before + 1 and after == before


def test_several_processes_in_one_scrape(cloud, tmp_path):
    """PROMETHEUS_MULTIPROC_DIR: a Celery task run in another process shows in the web
    process's /metrics, beside the web process's own requests."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    with run_portal(cloud, tmp_path, PROMETHEUS_MULTIPROC_DIR=str(shared)) as portal:
        run_task = ("import django; django.setup(); from consoles import tasks; "
                    "tasks.close_lost.apply()")
        subprocess.run([sys.executable, "-c", run_task], cwd=ROOT, env=portal.env,
                       check=True, timeout=60)
        requests.get(f"{portal.url}/login/", timeout=10).raise_for_status()
        text = requests.get(f"{portal.url}/metrics", timeout=10).text
    assert value(text, "stackport_celery_tasks_total", task="consoles.tasks.close_lost",
                 state="SUCCESS") == 1
    assert value(text, "stackport_http_requests_total", view="portal:login", method="GET",
                 status="200") >= 1
