"""The deployment's security settings: the CSP, HSTS and HTTPS from the environment, and
`manage.py check --deploy` clean with production settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key

from tests.conftest import ROOT

TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
# What a CSP without 'unsafe-inline' refuses: a script with no src, a <style> element, a
# style attribute, an inline event handler, a javascript: URL.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:",
                    re.I)


def test_no_template_has_inline_script_or_style():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in Path(folder).rglob("*.html"):
            text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", path.read_text(),
                          flags=re.S)
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in INLINE.finditer(text)]
    assert found == []


def test_pages_carry_the_policy(client):
    resp = client.get("/login/")
    policy = dict(part.strip().split(" ", 1) for part in
                  resp["Content-Security-Policy"].split(";") if part.strip())
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe" not in resp["Content-Security-Policy"]


def production_env(tmp_path, clouds_yaml, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PORTAL_", "DJANGO_", "SECURE_", "SESSION_", "DEBUG"))}
    env.update(dict(DJANGO_SETTINGS_MODULE="portal.settings", SECRET_KEY=get_random_secret_key(),
               DEBUG="0", ALLOWED_HOSTS="portal.example.com",
               CSRF_TRUSTED_ORIGINS="https://portal.example.com",
               DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
               REDIS_URL=os.environ["REDIS_URL"], KEYSTONE_URL="http://127.0.0.1:5000/v3",
               OS_CLIENT_CONFIG_FILE=str(clouds_yaml), OS_CLOUD="devcloud-portal",
               PORTAL_VAR_DIR=str(tmp_path)), **extra)
    return env


def check_deploy(env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy",
                           "--fail-level", "WARNING"], cwd=ROOT, env=env,
                          capture_output=True, text=True)


@pytest.fixture
def clouds_yaml(devcloud):
    return devcloud.clouds_yaml


def test_check_deploy_is_clean_with_production_settings(tmp_path, clouds_yaml, devcloud):
    env = production_env(tmp_path, clouds_yaml, KEYSTONE_URL=devcloud.auth_url)
    done = check_deploy(env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_names_what_an_operator_turned_off(tmp_path, clouds_yaml, devcloud):
    env = production_env(tmp_path, clouds_yaml, KEYSTONE_URL=devcloud.auth_url,
                         SECURE_HSTS_SECONDS="0", SECURE_SSL_REDIRECT="0")
    done = check_deploy(env)
    assert done.returncode != 0
    assert "security.W004" in done.stderr and "security.W008" in done.stderr


def test_https_settings_come_from_the_environment(tmp_path, clouds_yaml):
    code = ("import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
            "getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.SESSION_COOKIE_SECURE]))")

    def read(**extra):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, text=True,
                             capture_output=True,
                             env=production_env(tmp_path, clouds_yaml, **extra)).stdout
        return out.strip().splitlines()[-1]

    assert read() == '[true, 31536000, true, true, null, true]'
    assert read(SECURE_HSTS_SECONDS="600", SECURE_HSTS_PRELOAD="0",
                SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https") == \
        '[true, 600, true, false, ["HTTP_X_FORWARDED_PROTO", "https"], true]'
    assert read(PORTAL_DEMO="1") == '[false, 0, false, false, null, false]'
