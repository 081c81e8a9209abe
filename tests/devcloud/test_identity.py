"""Keystone v3 as devcloud serves it, driven through keystoneauth1/openstacksdk."""

import json
import urllib.error
import urllib.request

import openstack
import pytest


def _post_token(devcloud, auth: dict):
    req = urllib.request.Request(f"{devcloud.auth_url}/auth/tokens",
                                 data=json.dumps({"auth": auth}).encode(),
                                 headers={"Content-Type": "application/json"})
    return urllib.request.urlopen(req)


def _password(user, password, domain="Default"):
    return {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "password": password, "domain": {"name": domain}}}}}


def test_sdk_connects_with_clouds_yaml(clouds_env):
    conn = openstack.connect(cloud="devcloud-alice")
    assert [p.name for p in conn.identity.user_projects(conn.current_user_id)] == ["alpha"]


def test_scoped_token_has_roles_with_implied_and_catalog(devcloud):
    with _post_token(devcloud, {**_password("admin", "admin"), "scope": {
            "project": {"name": "admin", "domain": {"name": "Default"}}}}) as resp:
        assert resp.status == 201
        assert resp.headers["X-Subject-Token"].startswith("gAAAAA")
        token = json.load(resp)["token"]
    assert token["project"]["name"] == "admin"
    assert {r["name"] for r in token["roles"]} == {"admin", "member", "reader"}
    assert {e["type"] for e in token["catalog"]} >= {"identity", "compute", "network", "image"}


@pytest.mark.parametrize("user,password,domain", [
    ("demo", "wrong", "Default"),
    ("nobody", "demo", "Default"),
    ("demo", "demo", "NoSuchDomain"),
])
def test_bad_credentials_are_401_in_keystone_shape(devcloud, user, password, domain):
    with pytest.raises(urllib.error.HTTPError) as exc:
        _post_token(devcloud, _password(user, password, domain))
    assert exc.value.code == 401
    body = json.load(exc.value)
    assert body == {"error": {"code": 401, "title": "Unauthorized",
                              "message": "The request you have made requires authentication."}}


def test_revoked_token_no_longer_validates(devcloud):
    token = devcloud.token("demo")
    admin = devcloud.token("admin")

    def call(method, subject):
        return urllib.request.urlopen(urllib.request.Request(
            f"{devcloud.auth_url}/auth/tokens", method=method,
            headers={"X-Auth-Token": admin, "X-Subject-Token": subject}))

    assert call("GET", token).status == 200
    assert call("DELETE", token).status == 204
    with pytest.raises(urllib.error.HTTPError) as exc:
        call("GET", token)
    assert exc.value.code == 404


def test_revoking_a_token_revokes_the_tokens_rescoped_from_it(devcloud):
    """As Keystone's revocation by audit id: a token rescoped from a revoked one dies with
    it (its audit chain names it); the parent outlives a revoked child; a chain's second
    audit id stays its root however deep the rescoping goes."""
    scope = {"project": {"name": "demo", "domain": {"name": "Default"}}}
    with _post_token(devcloud, {**_password("demo", "demo"), "scope": scope}) as resp:
        root, root_body = resp.headers["X-Subject-Token"], json.load(resp)["token"]

    def rescope(token):
        with _post_token(devcloud, {"identity": {"methods": ["token"], "token": {
                "id": token}}, "scope": scope}) as resp:
            return resp.headers["X-Subject-Token"], json.load(resp)["token"]

    child, child_body = rescope(root)
    grandchild, grandchild_body = rescope(child)
    sibling, _ = rescope(root)
    assert child_body["audit_ids"][1] == root_body["audit_ids"][0]
    assert grandchild_body["audit_ids"][1] == root_body["audit_ids"][0]
    admin = devcloud.token("admin")

    def status(method, subject):
        try:
            return urllib.request.urlopen(urllib.request.Request(
                f"{devcloud.auth_url}/auth/tokens", method=method,
                headers={"X-Auth-Token": admin, "X-Subject-Token": subject})).status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert status("DELETE", child) == 204
    assert [status("HEAD", t) for t in (root, child, grandchild, sibling)] == \
        [200, 404, 200, 200]
    assert status("DELETE", root) == 204
    assert [status("HEAD", t) for t in (root, grandchild, sibling)] == [404, 404, 404]


def test_state_survives_restart(tmp_path):
    from devcloud import testing

    state = tmp_path / "state"
    with testing.running(state) as cloud:
        token = cloud.token("demo")
        port = cloud.port
    with testing.running(state, port=port, reset=False) as cloud:
        req = urllib.request.Request(f"{cloud.auth_url}/auth/tokens",
                                     headers={"X-Auth-Token": token, "X-Subject-Token": token})
        assert urllib.request.urlopen(req).status == 200
