"""Once the cloud has accepted a change, nothing after it fails the answer: a launch, an
action and a delete while Redis is down (the poller's kick, the image-name cache and the
live channel all in Redis) still answer as accepted, and the launch keeps its request id
so the same form never makes a second server."""

import socket

import pytest
import redis

from portal import redisconn
from tests.conftest import run_portal
from vms.models import LaunchRequest

from .helpers import form_error, launch_data, wait_for

pytestmark = pytest.mark.django_db


def dead_redis_url() -> str:
    """A loopback port where nothing listens (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def alice(as_):
    return as_("alice")


@pytest.fixture
def redis_down(portal_settings, monkeypatch):
    """Every use of Redis in this process (cache, channel layer, the portal's own client)
    pointed at a port where nothing listens. Take it after logging in."""
    url = dead_redis_url()
    caches = {name: {**conf, "LOCATION": url} for name, conf in portal_settings.CACHES.items()}
    portal_settings.CACHES = caches
    layers = {name: {**conf, "CONFIG": {**conf["CONFIG"], "hosts": [{"address": url}]}}
              for name, conf in portal_settings.CHANNEL_LAYERS.items()}
    portal_settings.CHANNEL_LAYERS = layers
    monkeypatch.setattr(redisconn, "_client", redis.Redis.from_url(url))
    with pytest.raises(redis.ConnectionError):
        redisconn.client().ping()
    return url


def test_launch_action_and_delete_with_redis_down_answer_as_accepted(
        alice, cloud, networks, image_id, prefix, redis_down):
    data = launch_data(networks["alice"]["network"].id, prefix, image=image_id)
    resp = alice.post("/servers/launch/", data)
    assert resp.status_code == 302, form_error(resp)
    server_id = resp.url.rstrip("/").rsplit("/", 1)[1]
    row = LaunchRequest.objects.get(request_id=data["request_id"])
    assert row.server_ids == [server_id]  # the request id is remembered
    again = alice.post("/servers/launch/", data)  # a reloaded form sent again
    assert again.status_code == 302 and again.url == resp.url
    conn = cloud.connect("alice")
    assert [s.id for s in conn.compute.servers(name=f"^{prefix}")] == [server_id]

    conn.compute.wait_for_server(conn.compute.get_server(server_id), wait=60)
    stopped = alice.post(f"/servers/{server_id}/actions/stop/")
    assert stopped.status_code == 302 and stopped.url == f"/servers/{server_id}/"
    wait_for(lambda: conn.compute.get_server(server_id).status == "SHUTOFF", timeout=60,
             what="SHUTOFF")
    deleted = alice.post(f"/servers/{server_id}/delete/")
    assert deleted.status_code == 302 and deleted.url.endswith(f"/servers/{server_id}/deleted/")
    wait_for(lambda: conn.compute.find_server(server_id, ignore_missing=True) is None,
             timeout=60, what="server gone")


def test_pages_answer_with_redis_down_and_say_live_updates_are_paused(
        live_portal, cloud, networks, image_id, prefix, tmp_path):
    """The list and a server's page need no Redis: a web process whose Redis is a port
    where nothing listens (same database, so alice's session from the working one) shows
    them, with the notice that live updates are paused."""
    conn = cloud.connect("alice")
    server = conn.compute.create_server(name=prefix, flavor_id="1", image_id=image_id,
                                        networks=[{"uuid": networks["alice"]["network"].id}])
    session = live_portal.login("alice", cloud)
    with run_portal(cloud, tmp_path, REDIS_URL=dead_redis_url(),
                    DATABASE_URL=live_portal.env["DATABASE_URL"]) as cut_off:
        for path in ("/servers/", f"/servers/?name={prefix}", f"/servers/{server.id}/"):
            resp = session.get(cut_off.url + path, timeout=30)
            assert resp.status_code == 200, (path, resp.status_code)
            assert 'data-testid="live-paused"' in resp.text, path
            assert server.id in resp.text, path
