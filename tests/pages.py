"""Reading portal pages in tests (Django test client): log in through the real form, the
page's text, and the error a form shows."""

import html as html_lib
import re
import urllib.error
import urllib.request

from django.test import Client


def login(cloud, who: str) -> Client:
    """A Django test client logged in as one of the cloud's accounts."""
    acct = cloud.accounts[who]
    client = Client()
    resp = client.post("/login/", {"domain": acct.domain, "username": acct.username,
                                   "password": acct.password})
    assert resp.status_code == 302, f"login as {who} failed"
    return client


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
