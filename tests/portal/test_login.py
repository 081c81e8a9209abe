"""Login, project switch, logout, expired and revoked tokens, and each bad-login case:
the portal (Django test client) against the cloud under test over HTTP."""

import re
import time

import pytest
from django.test import Client

from portal import ratelimit
from tests.pages import new_project_with, revoke_token, token_valid, usage_calls

pytestmark = pytest.mark.django_db


def login(client: Client, cloud, who: str, **override):
    acct = cloud.accounts[who]
    data = {"domain": acct.domain, "username": acct.username, "password": acct.password}
    data.update(override)
    return client.post("/login/", data)


def error_of(resp) -> str:
    m = re.search(r'data-testid="login-error">(.*?)</div>', resp.content.decode(), re.S)
    return m.group(1).strip() if m else ""


def test_login_scopes_to_project_and_keeps_token_server_side(portal_settings, cloud):
    client = Client()
    resp = login(client, cloud, "demo")
    assert resp.status_code == 302 and resp.url == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-testid="current-project">demo<' in page.content.decode()
    # The landing page is shown at once; its usage fragment reuses the session's token and
    # catalog: its quota calls, no Keystone.
    assert page["X-Cloud-Calls"] == "0"
    usage = client.get("/overview/usage/", HTTP_HX_REQUEST="true")
    assert usage["X-Cloud-Calls"] == usage_calls(cloud)
    assert 'data-testid="usage"' in usage.content.decode()
    stored = client.session["cloud"]
    assert stored["project_name"] == "demo" and "member" in stored["roles"]
    # The token lives in the session store, not in any cookie.
    assert all(stored["token"] not in c.value for c in client.cookies.values())


def test_wrong_password(portal_settings, cloud):
    resp = login(Client(), cloud, "demo", password="not-the-password")
    assert resp.status_code == 400
    assert error_of(resp) == "Wrong user name or password."


def test_unknown_user_reads_like_wrong_password(portal_settings, cloud):
    # A name of its own: its failed tries count in the portal's Redis across runs.
    resp = login(Client(), cloud, "demo", username=f"nobody-{time.time_ns()}")
    assert error_of(resp) == "Wrong user name or password."


def test_unknown_domain(portal_settings, cloud):
    resp = login(Client(), cloud, "demo", domain="NoSuchDomain")
    assert resp.status_code == 400
    assert error_of(resp) == "There is no domain called “NoSuchDomain”."


def test_user_with_no_projects(portal_settings, cloud):
    admin = cloud.connect("admin")
    user = admin.identity.create_user(name=f"lonely{time.time_ns()}", password="lonely",
                                      domain_id="default")
    try:
        resp = Client().post("/login/", {"domain": "Default", "username": user.name,
                                         "password": "lonely"})
        assert resp.status_code == 400
        assert "has no role in any project" in error_of(resp)
    finally:
        admin.identity.delete_user(user)


def test_keystone_unreachable(portal_settings):
    from devcloud.testing import free_port

    portal_settings.KEYSTONE_URL = f"http://127.0.0.1:{free_port()}/v3"
    resp = Client().post("/login/", {"domain": "Default", "username": "demo",
                                     "password": "demo"})
    assert resp.status_code == 400
    assert "is not answering" in error_of(resp)


def test_repeated_failures_are_slowed_down(portal_settings, cloud):
    """A user of its own: runs side by side share the Redis, and another run's login as
    demo from 127.0.0.1 would reset a count kept for demo."""
    portal_settings.LOGIN_FAILURE_LIMIT = 3
    admin = cloud.connect("admin")
    user = admin.identity.create_user(name=f"slowed{time.time_ns()}", password="right",
                                      domain_id="default")
    admin.identity.assign_project_role_to_user(admin.identity.find_project("demo"), user,
                                               admin.identity.find_role("member"))
    attempt = {"domain": "Default", "username": user.name}
    client = Client()
    try:
        for _ in range(3):
            resp = client.post("/login/", {**attempt, "password": "bad"})
            assert resp.status_code == 400
        resp = client.post("/login/", {**attempt, "password": "right"})
        assert resp.status_code == 429           # even the right password must wait now
        assert "Too many failed attempts" in error_of(resp)
        # Another user from the same address is not affected.
        assert login(Client(), cloud, "alice").status_code == 302
    finally:
        ratelimit.succeeded(user.name, "127.0.0.1")
        admin.identity.delete_user(user)


def test_only_guesses_count_whatever_the_message_says(portal_settings, cloud):
    """A right password with no project to show is no guess, even for a user whose name
    puts "password" in the message (the lockout was keyed on the message's wording)."""
    portal_settings.LOGIN_FAILURE_LIMIT = 2
    admin = cloud.connect("admin")
    user = admin.identity.create_user(name=f"password-domain-{time.time_ns()}",
                                      password="lonely", domain_id="default")
    try:
        for _ in range(3):
            resp = Client().post("/login/", {"domain": "Default", "username": user.name,
                                             "password": "lonely"})
            assert resp.status_code == 400
            assert "has no role in any project" in error_of(resp)
    finally:
        ratelimit.succeeded(user.name, "127.0.0.1")
        admin.identity.delete_user(user)


def test_keystone_unreachable_is_no_guess(portal_settings):
    from devcloud.testing import free_port

    portal_settings.LOGIN_FAILURE_LIMIT = 2
    portal_settings.KEYSTONE_URL = f"http://127.0.0.1:{free_port()}/v3"
    for _ in range(3):
        resp = Client().post("/login/", {"domain": "Default", "username": "nobody-unreach",
                                         "password": "x"})
        assert resp.status_code == 400 and "is not answering" in error_of(resp)


def test_login_works_with_redis_down(portal_settings, cloud, monkeypatch):
    """The throttle is a guard, not a dependency: with Redis down a person can log in."""
    import redis

    from devcloud.testing import free_port
    from portal import redisconn

    monkeypatch.setattr(redisconn, "_client",
                        redis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0"))
    assert login(Client(), cloud, "demo").status_code == 302
    assert login(Client(), cloud, "demo", password="bad").status_code == 400


def test_project_switch_rescopes_without_password(portal_settings, cloud):
    with new_project_with(cloud, "demo") as made:
        admin, extra = made["admin"], made["project"]
        demo_project = admin.identity.find_project("demo")
        client = Client()
        login(client, cloud, "demo")
        assert {p["name"] for p in client.session["cloud"]["projects"]} == {"demo", extra.name}
        resp = client.post("/project/", {"project_id": extra.id, "next": "/"})
        assert resp.status_code == 302
        assert client.session["cloud"]["project_id"] == extra.id
        page = client.get("/").content.decode()
        assert f'data-testid="current-project">{extra.name}<' in page
        # A project the user has no role in is refused.
        client.post("/project/", {"project_id": admin.current_project_id})
        assert client.session["cloud"]["project_id"] == extra.id
        # The next login goes to the last used project.
        client2 = Client()
        login(client2, cloud, "demo")
        assert client2.session["cloud"]["project_id"] == extra.id
        client2.post("/project/", {"project_id": demo_project.id})


def test_logout_revokes_token_in_keystone(portal_settings, cloud):
    client = Client()
    login(client, cloud, "demo")
    token = client.session["cloud"]["token"]
    assert token_valid(cloud, token)
    resp = client.post("/logout/")
    assert resp.status_code == 302 and resp.url.endswith("/login/")
    assert not token_valid(cloud, token)
    assert client.get("/").status_code == 302


def test_revoked_token_sends_back_to_login(portal_settings, cloud):
    client = Client()
    login(client, cloud, "demo")
    token = client.session["cloud"]["token"]
    revoke_token(cloud, token)
    # The landing page's usage fragment is its first cloud call: htmx is sent to login.
    resp = client.get("/overview/usage/", HTTP_HX_REQUEST="true")
    assert resp.status_code == 204 and resp["HX-Redirect"].startswith("/login/")
    login(client, cloud, "demo")
    token = client.session["cloud"]["token"]
    revoke_token(cloud, token)
    resp = client.get("/overview/usage/")
    assert resp.status_code == 302 and resp.url.startswith("/login/")
    follow = client.get(resp.url).content.decode()
    assert "no longer valid" in follow


def test_expired_token_sends_back_to_login(portal_settings, cloud):
    client = Client()
    login(client, cloud, "demo")
    session = client.session
    session["cloud"]["expires_at"] = "2000-01-01T00:00:00+00:00"
    session.save()
    resp = client.get("/")
    assert resp.status_code == 302 and resp.url.startswith("/login/")
    assert "expired" in client.get(resp.url).content.decode()


@pytest.mark.devcloud_only(reason="shortens Keystone's token lifetime through devcloud config")
def test_token_expired_in_keystone(portal_settings, cloud):
    cloud.devcloud.admin_api("POST", "config", {"token_ttl": 2})
    try:
        client = Client()
        login(client, cloud, "demo")
    finally:
        cloud.devcloud.admin_api("POST", "config", {"token_ttl": 3600})
    time.sleep(2.5)
    resp = client.get("/overview/usage/")
    assert resp.status_code == 302 and resp.url.startswith("/login/")


@pytest.mark.urls("tests.portal.changing_urls")
def test_reader_post_to_changing_view_is_refused(portal_settings, cloud):
    reader, member = Client(), Client()
    login(reader, cloud, "reader")
    login(member, cloud, "demo")
    assert reader.session["cloud"]["roles"] == ["reader"]
    assert reader.get("/test-change/").status_code == 200  # reading is fine
    assert reader.post("/test-change/").status_code == 403
    assert member.post("/test-change/").status_code == 200
    # The reader may still switch project and log out (their own session only).
    assert reader.post("/logout/").status_code == 302
