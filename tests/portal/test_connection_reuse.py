"""A person's cloud connection is kept between their requests (portal.cloud.connections):
the same Connection and the same TCP connection to Nova and Neutron for the next page with
the same token; never another user's or another token's; gone at logout, project switch
and expiry; bounded (LRU); and X-Cloud-Calls stays each request's own count when two
requests of one person share the connection at the same time."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.test import Client

from portal import cloud as portal_cloud
from portal import retries
from tests.pages import new_project_with, usage_calls

pytestmark = pytest.mark.django_db


def login(client, cloud, who: str):
    acct = cloud.accounts[who]
    resp = client.post("/login/", {"domain": acct.domain, "username": acct.username,
                                   "password": acct.password})
    assert resp.status_code == 302, resp.content[:300]
    return client


def kept(token: str):
    entry = portal_cloud.connections._kept.get(portal_cloud._key(token))
    return entry.conn if entry else None


def peers(cloud, since: float, service: str, until: float = float("inf")) -> list[str]:
    """The client ends of the TCP connections that carried `service` calls in that time
    (one address:port per connection)."""
    calls = cloud.devcloud.admin_api("GET", f"stats?since={since}")["calls"]
    return [c["peer"] for c in calls if c["service"] == service and c["t"] < until]


@pytest.fixture
def fresh(portal_settings):
    portal_cloud.connections.clear()
    yield portal_settings
    portal_cloud.connections.clear()


@pytest.mark.devcloud_only(reason="counts TCP connections in devcloud's call log")
def test_two_requests_of_a_person_reuse_one_connection_and_its_sockets(fresh, cloud):
    client = login(Client(), cloud, "alice")
    token = client.session["cloud"]["token"]
    assert client.get("/servers/").status_code == 200
    conn = kept(token)
    assert conn is not None
    # Kept as it was made: the safe-retry adapter mounted, the configured timeout.
    assert isinstance(conn.session.session.get_adapter("http://x/"),
                      retries.SafeRetryAdapter)
    assert conn.session.timeout == fresh.CLOUD_TIMEOUT

    since = time.time()
    assert client.get("/servers/").status_code == 200
    first_net = time.time()
    assert client.get("/network/").status_code == 200
    second_net = time.time()
    assert client.get("/servers/").status_code == 200
    assert client.get("/network/").status_code == 200
    assert kept(token) is conn
    nova = peers(cloud, since, "compute")
    assert len(nova) >= 2 and len(set(nova)) == 1, nova     # one TCP connection to Nova
    neutron_first = set(peers(cloud, first_net, "network", until=second_net))
    neutron_again = set(peers(cloud, second_net, "network"))
    # The second networks page opened no new connection to Neutron (its two calls run
    # concurrently, so the first page may have opened two).
    assert neutron_again and neutron_again <= neutron_first, (neutron_first, neutron_again)


@pytest.mark.devcloud_only(reason="counts TCP connections in devcloud's call log")
def test_a_socket_idle_past_the_keepalive_is_reopened_not_raced(fresh, cloud):
    """A kept socket idle longer than PORTAL_CLOUD_KEEPALIVE is not reused: the API server
    may be closing it just then (gunicorn after 2 s), and a POST on it would be lost."""
    fresh.CLOUD_KEEPALIVE = 0.3
    client = login(Client(), cloud, "alice")
    client.get("/servers/")
    since = time.time()
    client.get("/servers/")
    client.get("/servers/")
    soon = set(peers(cloud, since, "compute"))
    time.sleep(0.5)
    later = time.time()
    client.get("/servers/")
    assert len(soon) == 1 and not soon & set(peers(cloud, later, "compute"))


@pytest.mark.devcloud_only(reason="counts TCP connections in devcloud's call log")
def test_two_people_never_share_a_connection(fresh, cloud):
    alice = login(Client(), cloud, "alice")
    bob = login(Client(), cloud, "bob")
    since = time.time()
    assert alice.get("/servers/").status_code == 200
    middle = time.time()
    assert bob.get("/servers/").status_code == 200
    a_conn, b_conn = (kept(c.session["cloud"]["token"]) for c in (alice, bob))
    assert a_conn is not None and b_conn is not None and a_conn is not b_conn
    assert a_conn.session is not b_conn.session
    alice_socks = set(peers(cloud, since, "compute", until=middle))
    assert alice_socks and not alice_socks & set(peers(cloud, middle, "compute"))


def test_logout_evicts_the_connection(fresh, cloud):
    client = login(Client(), cloud, "alice")
    token = client.session["cloud"]["token"]
    client.get("/servers/")
    assert token in portal_cloud.connections
    client.post("/logout/")
    assert token not in portal_cloud.connections


@pytest.fixture
def second_project(cloud):
    with new_project_with(cloud, "alice", "reuse") as extra:
        yield extra["project"]


def test_a_project_switch_evicts_the_old_tokens_connection(fresh, cloud, second_project):
    client = login(Client(), cloud, "alice")
    client.get("/")                                  # lists the projects
    old = client.session["cloud"]["token"]
    client.get("/servers/")
    old_conn = kept(old)
    assert old_conn is not None
    assert client.post("/project/", {"project_id": second_project.id}).status_code == 302
    assert old not in portal_cloud.connections
    new = client.session["cloud"]["token"]
    assert client.get("/servers/").status_code == 200
    assert kept(new) is not None and kept(new) is not old_conn


def test_an_expired_session_evicts_its_connection(fresh, cloud):
    client = login(Client(), cloud, "alice")
    token = client.session["cloud"]["token"]
    client.get("/servers/")
    assert token in portal_cloud.connections
    session = client.session
    session["cloud"] = {**session["cloud"], "expires_at": "2000-01-01T00:00:00+00:00"}
    session.save()
    assert client.get("/servers/").status_code == 302       # back to the login
    assert token not in portal_cloud.connections


# --- the kept connections as such: fabricated tokens, no cloud needed ---------------

def body(user: str = "u1", project: str = "p1", expires_in: float = 3600) -> dict:
    expires = (datetime.now(UTC) + timedelta(seconds=expires_in)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")
    return {"token": {
        "methods": ["password"], "expires_at": expires, "issued_at": expires,
        "user": {"id": user, "name": user, "domain": {"id": "default", "name": "Default"}},
        "project": {"id": project, "name": project,
                    "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r1", "name": "member"}],
        "catalog": [{"type": "compute", "name": "nova", "id": "c1", "endpoints": [
            {"id": "e1", "interface": "public", "region": "RegionOne",
             "region_id": "RegionOne", "url": "http://127.0.0.1:9/compute/v2.1"}]}]}}


def test_one_connection_per_token_never_across_tokens_or_users(settings):
    pool = portal_cloud.Connections(size=8)
    a = pool.get("tok-a", body("u1"))
    assert pool.get("tok-a", body("u1")) is a
    assert pool.get("tok-b", body("u1")) is not a            # same user, another token
    assert pool.get("tok-a", body("u2")) is not a            # a body naming someone else
    assert pool.get("tok-c", body("u1", "p2")) is not a


def test_an_expired_token_is_evicted(settings):
    pool = portal_cloud.Connections(size=8)
    assert pool.get("gone", body(expires_in=-5)) is not None
    assert "gone" not in pool                                # never kept
    short = pool.get("short", body(expires_in=1))
    assert "short" in pool
    time.sleep(1.2)
    pool.get("other", body())                                # a sweep drops it
    assert "short" not in pool
    assert pool.get("short", body(expires_in=1)) is not short


def test_an_idle_connection_is_dropped(settings):
    settings.CLOUD_CONNECTION_IDLE = 0.2
    pool = portal_cloud.Connections(size=8)
    first = pool.get("tok", body())
    time.sleep(0.3)
    assert pool.get("tok", body()) is not first


def test_the_lru_bound_holds(settings):
    pool = portal_cloud.Connections(size=3)
    conns = {t: pool.get(t, body(t)) for t in ("t0", "t1", "t2")}
    assert pool.get("t0", body("t0")) is conns["t0"]         # t0 now most recent
    pool.get("t3", body("t3"))
    assert len(pool) == 3 and "t1" not in pool and "t0" in pool
    for i in range(4, 20):
        pool.get(f"t{i}", body(f"t{i}"))
    assert len(pool) == 3
    assert pool.evict("t19") and "t19" not in pool and not pool.evict("t19")
    assert portal_cloud.Connections(size=0).get("x", body("x")) is not None


def test_concurrent_requests_for_one_token_get_one_connection(settings):
    pool = portal_cloud.Connections(size=8)
    got, barrier = [], threading.Barrier(6)

    def take():
        barrier.wait()
        got.append(pool.get("tok", body()))

    threads = [threading.Thread(target=take) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 6 and len(pool) == 1
    assert all(c is got[0] for c in got) and pool.get("tok", body()) is got[0]


# --- X-Cloud-Calls with a shared connection -----------------------------------------

def test_calls_are_counted_per_request_when_a_person_runs_two_at_once(live_portal, cloud):
    session = live_portal.login("alice", cloud)
    pages = {"/servers/": {}, "/overview/usage/": {"HX-Request": "true"},
             "/network/": {}}
    solo = {}
    for path, headers in pages.items():
        session.get(live_portal.url + path, headers=headers).raise_for_status()  # warm
        solo[path] = session.get(live_portal.url + path, headers=headers).headers[
            "X-Cloud-Calls"]
    assert solo == {"/servers/": "1", "/overview/usage/": usage_calls(cloud),
                    "/network/": "2"}, solo
    seen, barrier = [], threading.Barrier(len(pages))

    def run(path, headers):
        mine = requests.Session()                 # the same person: the same cookies
        mine.cookies.update(session.cookies)
        for _ in range(8):
            barrier.wait()
            resp = mine.get(live_portal.url + path, headers=headers)
            seen.append((path, resp.status_code, resp.headers["X-Cloud-Calls"]))

    threads = [threading.Thread(target=run, args=item) for item in pages.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8 * len(pages)
    assert all(status == 200 and calls == solo[path] for path, status, calls in seen), seen
