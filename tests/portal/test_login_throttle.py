"""Login throttling over the real web server: concurrent wrong passwords for one user reach
Keystone no more often than one at a time would; X-Forwarded-For counts only from the
configured proxy. The devcloud counts the password authentications that reach it."""

import threading
import time
import uuid

import pytest
import requests

from tests.conftest import run_portal

LIMIT = 5           # the portal's default PORTAL_LOGIN_FAILURE_LIMIT
TRIES = 16

pytestmark = pytest.mark.devcloud_only(reason="counts the calls that reach Keystone")


def login_form(portal) -> requests.Session:
    s = requests.Session()
    s.get(f"{portal.url}/login/").raise_for_status()
    return s


def try_login(portal, s: requests.Session, username: str, password: str = "wrong",
              headers: dict | None = None) -> int:
    resp = s.post(f"{portal.url}/login/", data={
        "csrfmiddlewaretoken": s.cookies["csrftoken"], "domain": "Default",
        "username": username, "password": password},
        headers={"Referer": f"{portal.url}/login/", **(headers or {})},
        allow_redirects=False, timeout=30)
    return resp.status_code


def password_auths(cloud, since: float) -> int:
    """POST /v3/auth/tokens that reached devcloud from `since` until now (the admin API
    call that asks authenticates too, after that)."""
    until = time.time()
    stats = cloud.devcloud.admin_api("GET", f"stats?since={since}")
    return sum(1 for c in stats["calls"] if c["t"] <= until and c["method"] == "POST"
               and c["path"].rstrip("/").endswith("/auth/tokens"))


def warm(portal) -> None:
    """One wrong login first: the service account's token (it tells a wrong domain from a
    wrong password) is then cached, and every later auth call is a person's attempt."""
    try_login(portal, login_form(portal), f"warm-{uuid.uuid4().hex[:8]}")


def test_concurrent_wrong_passwords_reach_keystone_at_most_limit_times(live_portal, cloud):
    warm(live_portal)
    username = f"victim-{uuid.uuid4().hex[:8]}"
    sessions = [login_form(live_portal) for _ in range(TRIES)]
    barrier = threading.Barrier(TRIES)
    codes = []

    def attempt(s):
        barrier.wait()
        codes.append(try_login(live_portal, s, username))

    since = time.time()
    threads = [threading.Thread(target=attempt, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    reached = password_auths(cloud, since)
    print(f"{TRIES} concurrent wrong passwords: {reached} reached Keystone, "
          f"{codes.count(429)} refused (429)")
    assert reached == LIMIT
    assert sorted(codes) == [400] * LIMIT + [429] * (TRIES - LIMIT)


def test_forwarded_for_from_a_direct_client_is_not_trusted(live_portal, cloud):
    """Without FORWARDED_ALLOW_IPS nobody is a proxy: a client on loopback that names a new
    address in X-Forwarded-For on every try is still one client."""
    warm(live_portal)
    username = f"spoof-{uuid.uuid4().hex[:8]}"
    s = login_form(live_portal)
    since = time.time()
    codes = [try_login(live_portal, s, username,
                       headers={"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(8)]
    assert codes == [400] * LIMIT + [429] * 3
    assert password_auths(cloud, since) == LIMIT


def test_forwarded_for_from_the_configured_proxy_names_the_client(cloud, tmp_path):
    """Behind the configured proxy, each client named by X-Forwarded-For is counted on
    its own, and a spoofed header through the proxy cannot pick someone else's count."""
    with run_portal(cloud, tmp_path, FORWARDED_ALLOW_IPS="127.0.0.1") as portal:
        username = f"proxied-{uuid.uuid4().hex[:8]}"
        s = login_form(portal)
        one = {"X-Forwarded-For": "203.0.113.7"}
        codes = [try_login(portal, s, username, headers=one) for _ in range(LIMIT + 1)]
        assert codes == [400] * LIMIT + [429]
        # Another client behind the same proxy is not locked out by the first one.
        other = {"X-Forwarded-For": "203.0.113.8"}
        assert try_login(portal, s, username, headers=other) == 400
