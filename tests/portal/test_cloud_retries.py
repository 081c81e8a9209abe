"""What a cloud call sends again, against a real HTTP server on loopback that counts what
arrives: a slow POST is sent once and fails after the configured timeout (not twice, not
2× the timeout); a GET whose connection is reset is sent again once; a POST whose
connection is reset is not. Both the person's connection and the service account's."""

import json
import socket
import struct
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from keystoneauth1 import exceptions as ks_exc
from urllib3.exceptions import NewConnectionError, ProtocolError

from portal import cloud as portal_cloud
from portal import retries

TIMEOUT = 1.0
SLOW = 3 * TIMEOUT


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        del body
        key = (self.command, self.path.split("?")[0])
        with server.lock:
            server.seen[key] += 1
            nth = server.seen[key]
        if "/slow/" in self.path:
            time.sleep(SLOW)
        elif "/reset/" in self.path and (self.command == "POST" or nth == 1):
            # RST instead of an answer: the request went out, no response came back.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        payload = b'{"ok": true}'
        if self.path.rstrip("/") in ("/compute", "/compute/v2.1"):
            # Nova's version document, for openstacksdk's discovery
            href = f"{server.url}/compute/v2.1/"
            payload = json.dumps({"version": {
                "id": "v2.1", "status": "CURRENT", "version": "2.96", "min_version": "2.1",
                "links": [{"rel": "self", "href": href}]}}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass        # the client gave up (timeout): nothing to answer

    do_GET = do_POST = do_PUT = do_DELETE = answer


@pytest.fixture
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.seen = Counter()
    server.lock = threading.Lock()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def token_body(compute_url: str) -> dict:
    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    return {"token": {
        "methods": ["password"], "expires_at": expires, "issued_at": expires,
        "user": {"id": "u1", "name": "alice", "domain": {"id": "default", "name": "Default"}},
        "project": {"id": "p1", "name": "alpha",
                    "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r1", "name": "member"}],
        "catalog": [{"type": "compute", "name": "nova", "id": "c1", "endpoints": [
            {"id": "e1", "interface": "public", "region": "RegionOne",
             "region_id": "RegionOne", "url": compute_url}]}]}}


@pytest.fixture
def user_conn(api, settings):
    settings.CLOUD_TIMEOUT = TIMEOUT
    settings.OS_REGION_NAME = "RegionOne"
    settings.OS_INTERFACE = "public"
    return portal_cloud.connection_for_token("tok", token_body(f"{api.url}/compute/v2.1"))


@pytest.fixture
def service_conn(api, settings, tmp_path):
    """The service account's connection from a clouds.yaml that asks for retries itself."""
    path = tmp_path / "clouds.yaml"
    path.write_text(f"""clouds:
  slow:
    auth_type: none
    compute_endpoint_override: {api.url}/compute/v2.1
    region_name: RegionOne
    connect_retries: 3
    compute_connect_retries: 3
""")
    settings.CLOUD_TIMEOUT = TIMEOUT
    settings.OS_CLIENT_CONFIG_FILE = str(path)
    settings.OS_CLOUD = "slow"
    portal_cloud.reset_service_connection()
    yield portal_cloud.service_connection()
    portal_cloud.reset_service_connection()


@pytest.fixture(params=["user", "service"])
def conn(request):
    return request.getfixturevalue(f"{request.param}_conn")


def test_slow_post_is_sent_once_and_fails_after_the_timeout(conn, api):
    started = time.monotonic()
    with pytest.raises(ks_exc.ConnectTimeout):
        conn.compute.post("/slow/servers", json={"server": {"name": "once"}})
    elapsed = time.monotonic() - started
    assert api.seen[("POST", "/compute/v2.1/slow/servers")] == 1
    # The configured timeout is the whole wait (it was 2× with a resend).
    assert TIMEOUT * 0.9 <= elapsed < TIMEOUT * 1.9, elapsed


def test_slow_get_is_not_retried_either(conn, api):
    started = time.monotonic()
    with pytest.raises(ks_exc.ConnectTimeout):
        conn.compute.get("/slow/servers/detail")
    assert api.seen[("GET", "/compute/v2.1/slow/servers/detail")] == 1
    assert time.monotonic() - started < TIMEOUT * 1.9


def test_get_on_a_reset_connection_is_sent_again_once(conn, api):
    resp = conn.compute.get("/reset/servers/detail")
    assert resp.status_code == 200 and resp.json() == {"ok": True}
    assert api.seen[("GET", "/compute/v2.1/reset/servers/detail")] == 2


def test_post_on_a_reset_connection_is_not_sent_again(conn, api):
    with pytest.raises(ks_exc.ConnectFailure):
        conn.compute.post("/reset/servers", json={"server": {"name": "once"}})
    assert api.seen[("POST", "/compute/v2.1/reset/servers")] == 1


def test_refused_connection_is_tried_again_for_a_post_too():
    """Nothing was sent when the connection could not be made: that is safe to retry for
    any method (urllib3 counts it as a connect retry, then gives up)."""
    retry = retries.policy()
    again = retry.increment("POST", "/servers", error=NewConnectionError(None, "refused"))
    assert again.connect == 0
    with pytest.raises(ProtocolError):
        retry.increment("POST", "/servers", error=ProtocolError("reset"))
    assert retry.increment("GET", "/servers", error=ProtocolError("reset")).read == 0
