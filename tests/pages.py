"""Reading portal pages in tests (Django test client): log in through the real form, the
page's text, and the error a form shows."""

import html as html_lib
import re
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

from django.test import Client


def login(cloud, who: str) -> Client:
    """A Django test client logged in as one of the cloud's accounts."""
    acct = cloud.accounts[who]
    client = Client()
    resp = client.post("/login/", {"domain": acct.domain, "username": acct.username,
                                   "password": acct.password})
    assert resp.status_code == 302, f"login as {who} failed"
    return client


def usage_calls(cloud) -> str:
    """The cloud calls of the overview's usage fragment (portal/selectors.py): Nova's
    limits and the person's key pairs, Neutron's quota details, and Cinder's quota set
    where the catalog has Cinder."""
    return str(3 + cloud.connect("admin").has_service("block-storage"))


def text(resp) -> str:
    """The page's text without tags, entities decoded and whitespace collapsed."""
    html = resp.content.decode()
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def form_error(resp) -> str:
    """The form-wide error (data-testid="form-error"), as the person reads it."""
    m = re.search(r'data-testid="form-error">(.*?)</div>', resp.content.decode(), re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", m.group(1)).strip()) if m else ""


def token_valid(cloud, token: str) -> bool:
    """Whether Keystone still accepts `token` (HEAD /v3/auth/tokens as the admin)."""
    admin_token = cloud.connect("admin").session.get_token()
    req = urllib.request.Request(f"{cloud.auth_url}/auth/tokens", method="HEAD",
                                 headers={"X-Auth-Token": admin_token,
                                          "X-Subject-Token": token})
    try:
        return urllib.request.urlopen(req).status == 200
    except urllib.error.HTTPError:
        return False


def revoke_token(cloud, token: str) -> None:
    """Revoke `token` in Keystone as the admin (what an operator or an expiry does)."""
    admin_token = cloud.connect("admin").session.get_token()
    urllib.request.urlopen(urllib.request.Request(
        f"{cloud.auth_url}/auth/tokens", method="DELETE",
        headers={"X-Auth-Token": admin_token, "X-Subject-Token": token}))


@contextmanager
def new_project_with(cloud, who: str, prefix: str = "extra"):
    """A new project in which the account `who` is a member, deleted afterwards:
    {"project", "admin" (connection), "user", "role"}."""
    admin = cloud.connect("admin")
    user = admin.identity.find_user(cloud.accounts[who].username, ignore_missing=False)
    member = admin.identity.find_role("member")
    project = admin.identity.create_project(name=f"{prefix}{time.time_ns()}",
                                            domain_id="default")
    admin.identity.assign_project_role_to_user(project, user, member)
    try:
        yield {"project": project, "admin": admin, "user": user, "role": member}
    finally:
        admin.identity.delete_project(project)
