"""What the portal logs: each line once, one line per request and per task, JSON in
production carrying every cloud call's x-openstack-request-id, plain text in the demo."""

import json
import logging
import uuid

import pytest
import requests

from portal import logs
from tests.conftest import run_portal
from tests.consoles import live


@pytest.mark.parametrize("debug", ["0", "1"])
def test_each_log_line_appears_once(cloud, tmp_path, debug):
    path = f"/no-such-page-{uuid.uuid4().hex[:8]}/"
    with run_portal(cloud, tmp_path, DEBUG=debug) as portal:
        assert requests.get(portal.url + path, timeout=10).status_code == 404
    # Django's request logger ("Not Found") and the portal's request line.
    log = live.live_log(portal)
    assert log.count(f"Not Found: {path}") == 1, log
    assert "portal.request [req-" in log, log
    assert log.count(f"GET {path} 404") == 1, log


def json_lines(text: str) -> list[dict]:
    """Every line the process wrote, each one JSON (a line that is not fails here)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_json_request_line_follows_a_click_into_the_cloud(cloud, tmp_path):
    with run_portal(cloud, tmp_path, PORTAL_LOG_FORMAT="json") as portal:
        alice = portal.login("alice", cloud)
        resp = alice.get(f"{portal.url}/servers/", timeout=30)
        assert resp.status_code == 200
        missing = requests.get(f"{portal.url}/servers/no-such-server/", timeout=30,
                               cookies=alice.cookies)
        assert requests.get(f"{portal.url}/healthz", timeout=10).status_code == 200
    lines = json_lines(live.live_log(portal))
    for line in lines:
        assert {"time", "level", "logger", "message"} <= set(line), line
        assert line["time"].endswith("Z")
    assert any(line["logger"].startswith("uvicorn") for line in lines)   # its own, JSON too
    mine = [line for line in lines if line.get("request_id") == resp.headers["X-Request-Id"]]
    [request_line] = [line for line in mine if line["logger"] == "portal.request"]
    project_id = cloud.connect("alice").current_project_id
    assert request_line["level"] == "INFO"
    assert request_line["view"] == "vms:list" and request_line["status"] == 200
    assert request_line["user"] == cloud.accounts["alice"].username
    assert request_line["project"] == project_id
    assert request_line["method"] == "GET" and request_line["path"] == "/servers/"
    assert request_line["duration_ms"] > 0
    calls = request_line["cloud"]
    assert request_line["cloud_calls"] == len(calls) == int(resp.headers["X-Cloud-Calls"]) > 0
    assert "compute" in {c["service"] for c in calls}
    for call in calls:
        assert call["request_id"].startswith("req-"), call
        assert call["method"] == "GET" and call["status"] == 200 and call["service"] != "unknown"
    # A page the cloud said 404 to: one line, a warning, with the cloud's request id.
    [not_found] = [line for line in lines if line["logger"] == "portal.request"
                   and line["request_id"] == missing.headers["X-Request-Id"]]
    assert not_found["status"] == 404 and not_found["level"] == "WARNING"
    assert any(c["status"] == 404 and c["request_id"] for c in not_found["cloud"])
    # One line per request, and none for the balancer's probe.
    requests_logged = [line for line in lines if line["logger"] == "portal.request"]
    assert len({line["request_id"] for line in requests_logged}) == len(requests_logged)
    assert not any(line.get("path") == "/healthz" for line in lines)


@pytest.mark.django_db
def test_task_line_names_the_task_and_its_cloud_calls(portal_settings, caplog):
    from vms import tasks

    with caplog.at_level(logging.DEBUG, logger="portal.task"):
        tasks.poll.apply(kwargs={"force": True})
    [record] = [r for r in caplog.records if r.name == "portal.task"]
    assert record.levelno == logging.INFO and record.state == "SUCCESS"
    assert record.duration_ms > 0
    assert record.cloud_calls == len(record.cloud) >= 1
    nova = [c for c in record.cloud if c["service"] == "compute"]
    assert nova and all(c["request_id"].startswith("req-") for c in nova)
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["task"] == "vms.tasks.poll" and line["task_id"]
    assert line["logger"] == "portal.task" and line["cloud"] == record.cloud


@pytest.mark.django_db
def test_a_tick_that_did_not_poll_is_quiet(portal_settings, caplog):
    from vms import pollstate, tasks

    with pollstate.leased() as held, caplog.at_level(logging.DEBUG, logger="portal.task"):
        assert held
        tasks.poll.apply(kwargs={"force": True})          # another poll "is running"
    [record] = [r for r in caplog.records if r.name == "portal.task"]
    assert record.levelno == logging.DEBUG and record.cloud_calls == 0


def test_lines_inside_a_request_carry_its_context():
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    logger = logging.getLogger("tests.logging.context")
    handler = Keep()
    logger.addHandler(handler)
    try:
        with logs.bound(request_id="req-1", user="alice", project="p1"):
            logs.bind(view="vms:list")
            logger.warning("deep in %s", "a service")
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
    inside, outside = records
    line = json.loads(logs.JsonFormatter().format(inside))   # formatted after the request
    assert line["message"] == "deep in a service" and line["level"] == "WARNING"
    assert (line["request_id"], line["user"], line["project"], line["view"]) == (
        "req-1", "alice", "p1", "vms:list")
    assert logs.TextFormatter().format(inside) == (
        "WARNING tests.logging.context [req-1]: deep in a service")
    assert "request_id" not in json.loads(logs.JsonFormatter().format(outside))
    assert logs.TextFormatter().format(outside) == "WARNING tests.logging.context: outside"
