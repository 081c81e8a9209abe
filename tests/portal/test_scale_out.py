"""Two web processes behind HAProxy, two workers and one beat (tests/scaled.py): a session,
a console and live events work whichever web process a request or socket reaches, either
web's /metrics counts both, and a web process that dies loses no console audit record.

The whole integration suite runs against this layout with `make test-scaled`."""

import asyncio
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from portal.events import apublish
from tests import scaled
from tests.conftest import ROOT, LivePortal, portal_env
from tests.consoles import live
from tests.portal.test_metrics import value
from tests.rfb import RFBClient

pytestmark = pytest.mark.skipif(not Path(scaled.HAPROXY).exists(),
                                reason="HAProxy is not installed (apt-get install haproxy)")


@pytest.fixture(scope="module")
def layout(cloud, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scaled")
    # A heartbeat a second: a relay lost with its web process is seen as lost in 3 s.
    env = dict(portal_env(cloud, tmp / "portal.sqlite3"), PORTAL_CONSOLE_HEARTBEAT="1")
    with scaled.running(env, tmp) as running:
        running.start_workers(2)
        yield running


def front(layout) -> LivePortal:
    return LivePortal(url=layout.url, env=layout.env, process=layout.process,
                      log_path=layout.log_path)


def direct(layout, i: int) -> LivePortal:
    return LivePortal(url=layout.web_urls[i], env=layout.env, process=layout.webs[i],
                      log_path=layout.log_path)


def test_requests_alternate_and_one_session_serves_on_both(layout, cloud):
    alice = front(layout).login("alice", cloud)
    answered = [alice.get(f"{layout.url}/servers/", timeout=30) for _ in range(4)]
    assert [r.status_code for r in answered] == [200] * 4
    assert {r.headers["X-Stackport-Web"] for r in answered} == {"web1", "web2"}
    # Either web's /metrics counts both web processes (one PROMETHEUS_MULTIPROC_DIR).
    text = requests.get(f"{layout.web_urls[0]}/metrics", timeout=10).text
    assert value(text, "stackport_http_requests_total", view="vms:list", method="GET",
                 status="200") >= 4


def test_live_events_reach_a_socket_on_the_other_web(layout, cloud):
    from tests.portal.test_events_ws import connect, heard, project_id

    web1 = direct(layout, 0)
    alice = web1.login("alice", cloud)
    alpha = project_id(web1, alice)

    async def hear():
        async with await connect(web1, alice) as ws:
            await asyncio.sleep(0.2)
            marker = uuid.uuid4().hex
            # Published by another process (as web2, a worker or the poller would).
            await apublish(alpha, f'<div id="probe" hx-swap-oob="true">{marker}</div>')
            return marker, await heard(ws, marker)

    marker, got = asyncio.run(hear())
    assert marker in got


@pytest.mark.devcloud_only(reason="needs a console behind the cloud's proxy")
def test_a_console_opened_on_one_web_connects_through_the_other(layout, cloud):
    web1, web2 = direct(layout, 0), direct(layout, 1)
    with live.server(cloud, "alice", name=f"scaled-{uuid.uuid4().hex[:6]}") as srv:
        alice = web1.login("alice", cloud)
        page = alice.get(f"{web1.url}/consoles/{srv.id}/", timeout=30)    # ticket on web1
        path = live.ws_path(page.text)

        async def use():
            client = await RFBClient.websocket(live.ws_url(web2, path), origin=web2.url,
                                               headers=live.cookie_header(alice))
            await client.handshake()
            await client.close()
            return client.width, client.height

        assert asyncio.run(use()) == (720, 400)


def open_sessions(layout) -> list[dict]:
    code = ("import django, json; django.setup(); from consoles.models import ConsoleSession; "
            "print(json.dumps(list(ConsoleSession.objects.values("
            "'id', 'close_reason', 'ended_at', 'bytes_to_client')), default=str))")
    import json

    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=layout.env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.devcloud_only(reason="needs a console behind the cloud's proxy")
def test_a_web_process_killed_mid_console_loses_no_audit_record(cloud, tmp_path):
    env = dict(portal_env(cloud, tmp_path / "portal.sqlite3"), PORTAL_CONSOLE_HEARTBEAT="1")
    with scaled.running(env, tmp_path) as layout, \
            live.server(cloud, "alice", name=f"killed-{uuid.uuid4().hex[:6]}") as srv:
        layout.start_workers(1)
        victim = direct(layout, 1)
        alice = victim.login("alice", cloud)
        path = live.ws_path(alice.get(f"{victim.url}/consoles/{srv.id}/", timeout=30).text)

        async def open_then_kill():
            client = await RFBClient.websocket(live.ws_url(victim, path), origin=victim.url,
                                               headers=live.cookie_header(alice))
            await client.handshake()
            await asyncio.sleep(1.5)                      # a heartbeat or so
            layout.webs[1].send_signal(signal.SIGKILL)    # no chance to write its record
            layout.webs[1].wait(timeout=10)
            with pytest.raises(Exception):               # noqa: B017 - the socket is gone
                await asyncio.wait_for(client.ws.recv(), timeout=5)

        asyncio.run(open_then_kill())
        [record] = open_sessions(layout)
        assert record["ended_at"] is None                 # open, as the dead relay left it
        # Beat's close_lost (every minute) ends it once its heartbeat is 3 beats old; sent
        # now, as beat would, to one of the workers.
        time.sleep(3.5)
        subprocess.run([sys.executable, "-m", "celery", "-A", "portal", "call",
                        "consoles.tasks.close_lost",
                        "--queue", layout.env["PORTAL_CELERY_QUEUE"]],
                       cwd=ROOT, env=layout.env, check=True, capture_output=True)
        deadline = time.monotonic() + 20
        while (record := open_sessions(layout)[0])["ended_at"] is None:
            assert time.monotonic() < deadline, "the lost session was never ended"
            time.sleep(0.5)
        assert record["close_reason"] == "relay lost"
        assert record["bytes_to_client"] > 0              # counted up to its last heartbeat
        # The other web process goes on serving, through the proxy.
        assert requests.get(f"{layout.url}/readyz", timeout=10).status_code == 200
        assert re.search(r"web1", requests.get(f"{layout.url}/healthz", timeout=10)
                         .headers["X-Stackport-Web"])


@pytest.mark.devcloud_only(reason="counts the cloud's calls")
def test_two_workers_still_poll_once_per_tick(layout, cloud):
    """Beat's one tick is at most one poll, whichever of the two workers takes it: never
    two `servers/detail?all_tenants` calls for one tick (kicked, as a launch does, so that
    the window has polls even when nothing is changing)."""
    kick = "import django; django.setup(); from vms import pollstate; pollstate.kick()"
    since = time.time()
    for _ in range(3):
        subprocess.run([sys.executable, "-c", kick], cwd=ROOT, env=layout.env, check=True)
        time.sleep(2.5)
    window = time.time() - since
    calls = cloud.devcloud.admin_api("GET", f"stats?since={since}")["calls"]
    polls = sorted(c["t"] for c in calls if c["method"] == "GET" and
                   c["path"].endswith("/servers/detail") and "all_tenants" in c["query"])
    assert 3 <= len(polls) <= window + 1, polls
    gaps = [b - a for a, b in zip(polls, polls[1:], strict=False)]
    assert min(gaps) > 0.5, f"two polls {min(gaps):.3f} s apart: one tick polled twice"
