"""The fast login: one password authentication scoped straight to the project the person
last worked in (the projects listed afterwards with that token), the unscoped way when
there is no remembered project or Keystone refuses it, and every token made revoked at
logout. Against the cloud under test; the token counts need devcloud's call log."""

import time

import pytest
from django.test import Client

from portal.models import LastProject
from tests.pages import new_project_with, revoke_token, token_valid, usage_calls

pytestmark = pytest.mark.django_db


def login(client, cloud, who: str, **override):
    acct = cloud.accounts[who]
    data = {"domain": acct.domain, "username": acct.username, "password": acct.password}
    return client.post("/login/", {**data, **override})


def keystone_calls(cloud, since: float) -> list[tuple[str, str]]:
    """(method, route) of the identity calls devcloud saw since `since` (but the token
    the admin API call itself asks for: ?nocatalog)."""
    calls = cloud.devcloud.admin_api("GET", f"stats?since={since}")["calls"]
    return [(c["method"], c["route"]) for c in calls
            if "/v3/" in c["route"] and "nocatalog" not in c["query"]]


@pytest.fixture
def extra_project(cloud):
    """A second project of alice's, so that the remembered one is not the only one."""
    with new_project_with(cloud, "alice") as extra:
        yield extra


def test_the_next_login_is_one_token_scoped_to_the_last_project(portal_settings, cloud,
                                                                extra_project):
    project = extra_project["project"]
    first = Client()
    assert login(first, cloud, "alice").status_code == 302
    first.post("/project/", {"project_id": project.id})
    assert LastProject.objects.get().project_id == project.id

    client = Client()
    assert login(client, cloud, "alice").status_code == 302
    stored = client.session["cloud"]
    assert stored["project_id"] == project.id and stored["unscoped_token"] == ""
    assert "member" in stored["roles"] and stored["projects"] is None
    # The first page after the login lists the projects (with the scoped token): all of
    # them are there to switch to. The landing's usage is a fragment: Nova and Neutron
    # (and Cinder where there is one).
    page = client.get("/")
    assert client.get("/overview/usage/", HTTP_HX_REQUEST="true")["X-Cloud-Calls"] == \
        usage_calls(cloud)
    stored = client.session["cloud"]
    assert {p["id"] for p in stored["projects"]} >= {project.id,
                                                     first.session["cloud"]["project_id"]}
    for p in stored["projects"]:
        assert f'value="{p["id"]}"' in page.content.decode()

    # Switching rescopes the login's token (no password). Keystone revokes a token with
    # every token rescoped from it, so that root is kept (server-side) until logout; a
    # token rescoped from it is revoked at the next switch; logout revokes the chain.
    token = stored["token"]
    home = next(p["id"] for p in stored["projects"] if p["id"] != project.id)
    assert client.post("/project/", {"project_id": home}).status_code == 302
    switched = client.session["cloud"]["token"]
    assert client.session["cloud"]["project_id"] == home
    assert token_valid(cloud, switched), "the new project's token must work"
    assert client.get("/overview/usage/", HTTP_HX_REQUEST="true").status_code == 200
    assert client.post("/project/", {"project_id": project.id}).status_code == 302
    again = client.session["cloud"]["token"]
    assert not token_valid(cloud, switched) and token_valid(cloud, again)
    client.post("/logout/")
    assert not token_valid(cloud, again) and not token_valid(cloud, token)


@pytest.mark.devcloud_only(reason="counts Keystone's calls (devcloud's call log)")
def test_a_remembered_project_costs_one_token_and_one_projects_call(portal_settings, cloud):
    assert login(Client(), cloud, "demo").status_code == 302   # remembers demo's project
    since = time.time()
    client = Client()
    assert login(client, cloud, "demo").status_code == 302
    # The POST: one token, nothing else from Keystone. The projects come with the landing.
    assert keystone_calls(cloud, since) == [("POST", "/v3/auth/tokens")]
    since = time.time()
    assert client.get("/").status_code == 200
    assert keystone_calls(cloud, since) == [("GET", "/v3/auth/projects")]
    since = time.time()
    client.post("/logout/")
    # One token to revoke (no unscoped token was made), and the audit row's no call.
    assert keystone_calls(cloud, since) == [("DELETE", "/v3/auth/tokens")]


def test_a_lost_role_on_the_remembered_project_falls_back_to_the_others(
        portal_settings, cloud, extra_project):
    project, admin = extra_project["project"], extra_project["admin"]
    client = Client()
    login(client, cloud, "alice")
    client.post("/project/", {"project_id": project.id})
    admin.identity.unassign_project_role_from_user(project, extra_project["user"],
                                                   extra_project["role"])
    client = Client()
    assert login(client, cloud, "alice").status_code == 302
    client.get("/")
    stored = client.session["cloud"]
    assert stored["project_id"] != project.id
    assert project.id not in {p["id"] for p in stored["projects"]}
    token, unscoped = stored["token"], stored["unscoped_token"]
    assert unscoped  # the fallback made an unscoped token: logout revokes it too
    client.post("/logout/")
    assert not token_valid(cloud, token) and not token_valid(cloud, unscoped)


def test_a_wrong_password_with_a_remembered_project_says_so(portal_settings, cloud):
    from portal.cloud import service_connection

    assert login(Client(), cloud, "bob").status_code == 302
    service_connection().identity.get("/projects")  # its own token, made before we count
    since = time.time()
    resp = login(Client(), cloud, "bob", password="not-bobs")
    assert resp.status_code == 400
    assert "Wrong user name or password." in resp.content.decode()
    if cloud.is_devcloud:  # one password check, not two (Keystone's lockout counts them)
        posts = [c for c in keystone_calls(cloud, since) if c == ("POST", "/v3/auth/tokens")]
        assert len(posts) == 1


def test_a_first_page_other_than_the_landing_lists_the_projects(portal_settings, cloud):
    assert login(Client(), cloud, "demo").status_code == 302
    client = Client()
    login(client, cloud, "demo")
    assert client.session["cloud"]["projects"] is None
    page = client.get("/network/").content.decode()
    (demo,) = [p for p in client.session["cloud"]["projects"] if p["name"] == "demo"]
    assert f'value="{demo["id"]}"' in page


def test_a_revoked_token_before_the_projects_are_listed_sends_back_to_login(
        portal_settings, cloud):
    assert login(Client(), cloud, "demo").status_code == 302
    client = Client()
    login(client, cloud, "demo")
    token = client.session["cloud"]["token"]
    revoke_token(cloud, token)
    resp = client.get("/network/")
    assert resp.status_code == 302 and resp.url.startswith("/login/")
