"""Shared fixtures: the cloud under test, a live portal, and a browser.

The integration and browser tests take their cloud from the `cloud` fixture, never from
devcloud internals: devcloud by default (started here on free ports). Tests that need
devcloud-only powers (fault injection, call counting) are marked `devcloud_only`.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devcloud import testing
from portal import serve

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@dataclass
class Account:
    username: str
    password: str
    project: str
    domain: str = "Default"


@dataclass
class CloudTarget:
    """A cloud the suite runs against, described by configuration only."""

    name: str
    auth_url: str
    clouds_yaml: Path
    service_cloud: str
    accounts: dict[str, Account]
    external_network: str = "public"
    devcloud: testing.RunningDevcloud | None = field(default=None, repr=False)

    @property
    def is_devcloud(self) -> bool:
        return self.devcloud is not None

    def connect(self, who: str):
        """An openstacksdk connection as one of the accounts (for setup and checks)."""
        import openstack

        from portal import retries

        acct = self.accounts[who]
        conn = openstack.connect(
            auth_url=self.auth_url, username=acct.username, password=acct.password,
            project_name=acct.project, user_domain_name=acct.domain,
            project_domain_name=acct.domain, region_name="RegionOne",
            identity_api_version="3")
        # The portal's safe retry and fresh idle sockets: a test's connection left idle
        # while another account's server booted reused a socket the real Nova's gunicorn
        # was closing (RemoteDisconnected in a fixture's setup, its servers left behind).
        retries.install(conn.session)
        return conn


DEVCLOUD_ACCOUNTS = {name: Account(name, name, project) for name, project in [
    ("admin", "admin"), ("demo", "demo"), ("alice", "alpha"), ("bob", "beta"),
    ("reader", "demo"), ("helpdesk", "admin")]}


@pytest.fixture(scope="session")
def devcloud(tmp_path_factory):
    """A running devcloud (fresh state, BUILD lasts 0.5 s) shared by the session's tests."""
    with testing.running(tmp_path_factory.mktemp("devcloud") / "state",
                         "--build-delay", "0.5") as running:
        yield running


def on_realcloud() -> bool:
    return os.environ.get("STACKPORT_CLOUD", "devcloud") == "realcloud"


@pytest.fixture(scope="session")
def cloud(request) -> CloudTarget:
    """devcloud by default; the real control plane with STACKPORT_CLOUD=realcloud
    (`make test-realcloud`), whose missing accounts are created for the session."""
    if not on_realcloud():
        devcloud = request.getfixturevalue("devcloud")
        yield CloudTarget(name="devcloud", auth_url=devcloud.auth_url,
                          clouds_yaml=devcloud.clouds_yaml, service_cloud="devcloud-portal",
                          accounts=DEVCLOUD_ACCOUNTS, devcloud=devcloud)
        return
    from tests import realcloud

    admin = realcloud.admin(realcloud.REALCLOUD_DIR)
    extra = realcloud.create_accounts(admin)
    accounts = {"admin": Account("admin", "admin", "admin"),
                "demo": Account("demo", "demo", "demo"),
                **{who: Account(*creds) for who, creds in extra.items()}}
    try:
        yield CloudTarget(name="realcloud", auth_url=realcloud.KEYSTONE,
                          clouds_yaml=realcloud.clouds_yaml(realcloud.REALCLOUD_DIR),
                          service_cloud="os-admin", accounts=accounts)
    finally:
        realcloud.remove_accounts(admin)


@pytest.fixture(autouse=True)
def _devcloud_only(request):
    if request.node.get_closest_marker("devcloud_only"):
        target = request.getfixturevalue("cloud")
        if not target.is_devcloud:
            reason = request.node.get_closest_marker("devcloud_only").kwargs.get(
                "reason", "needs devcloud-only powers")
            pytest.skip(f"devcloud only: {reason}")


@pytest.fixture
def clouds_env(devcloud, monkeypatch):
    """OS_CLIENT_CONFIG_FILE pointing at the devcloud's clouds.yaml."""
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(devcloud.clouds_yaml))
    return devcloud


@pytest.fixture
def portal_settings(cloud, settings):
    """Point the in-process portal (Django test client) at the cloud under test."""
    from django.core.cache import cache

    from portal import ratelimit
    from portal.cloud import reset_service_connection

    settings.KEYSTONE_URL = cloud.auth_url
    settings.OS_CLIENT_CONFIG_FILE = str(cloud.clouds_yaml)
    settings.OS_CLOUD = cloud.service_cloud
    reset_service_connection()
    cache.clear()                 # the test cache's own Redis database (tests/settings.py)
    # No lockout left from an earlier test for the accounts, from the test client's
    # address (the throttle lives in the portal's Redis, not in the cache).
    for acct in cloud.accounts.values():
        ratelimit.succeeded(acct.username, "127.0.0.1")
    yield settings
    reset_service_connection()


# --- a live portal: the web process (HTTP + WebSocket) in a subprocess -------------

@dataclass
class LivePortal:
    url: str
    env: dict
    process: subprocess.Popen
    log_path: Path       # what the web process wrote (stdout and stderr)

    def login(self, who: str, cloud: CloudTarget):
        """A requests.Session logged in through the real login form."""
        import requests

        acct = cloud.accounts[who]
        s = requests.Session()
        s.get(f"{self.url}/login/").raise_for_status()
        resp = s.post(f"{self.url}/login/", data={
            "csrfmiddlewaretoken": s.cookies["csrftoken"], "domain": acct.domain,
            "username": acct.username, "password": acct.password},
            headers={"Referer": f"{self.url}/login/"})
        assert resp.url.rstrip("/") == self.url, f"login as {who} failed: {resp.status_code}"
        return s


def portal_env(cloud: CloudTarget, db_path: Path) -> dict:
    return dict(
        os.environ, PORTAL_TESTING="1", DEBUG="0", SECRET_KEY="tests-only-" + "k" * 40,
        DATABASE_URL=os.environ.get("LIVE_DATABASE_URL", f"sqlite:///{db_path}"),
        REDIS_URL=os.environ["REDIS_URL"], KEYSTONE_URL=cloud.auth_url,
        OS_CLIENT_CONFIG_FILE=str(cloud.clouds_yaml), OS_CLOUD=cloud.service_cloud,
        ALLOWED_HOSTS="127.0.0.1,localhost", SESSION_COOKIE_SECURE="0", SECURE_SSL_REDIRECT="0",
        DJANGO_SETTINGS_MODULE="portal.settings", PYTHONUNBUFFERED="1",
        # the demo's plain lines, which the log tests read (test_logging.py: JSON too)
        PORTAL_LOG_FORMAT="text")


@contextlib.contextmanager
def run_portal(cloud: CloudTarget, tmp: Path, **env):
    """A web process with its own database in `tmp`, and `env` on top of the test settings
    (e.g. PORTAL_CONSOLE_MODE); stopped (killed if it will not stop) on exit."""
    penv = dict(portal_env(cloud, tmp / "portal.sqlite3"), **env)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=ROOT, env=penv, check=True)
    port = testing.free_port()
    log_path = tmp / "web.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(serve.command(port), cwd=ROOT, env=penv, stdout=log,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/login/", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"portal did not start; see {log_path}") from None
                time.sleep(0.2)
        yield LivePortal(url=url, env=penv, process=proc, log_path=log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def pytest_addoption(parser):
    parser.addoption("--layout", choices=("single", "scaled"), default="single",
                     help="scaled: live_portal is HAProxy in front of two web processes and "
                          "live_worker two workers and one beat (tests/scaled.py; "
                          "make test-scaled)")


def scaled_layout(config) -> bool:
    return config.getoption("--layout") == "scaled"


@pytest.fixture(scope="session")
def live_portal(cloud, tmp_path_factory, pytestconfig):
    tmp = tmp_path_factory.mktemp("portal")
    if scaled_layout(pytestconfig):
        from tests import scaled

        with scaled.running(portal_env(cloud, tmp / "portal.sqlite3"), tmp) as layout:
            portal = LivePortal(url=layout.url, env=layout.env, process=layout.process,
                                log_path=layout.log_path)
            portal.scaled = layout
            yield portal
        return
    with run_portal(cloud, tmp) as portal:
        yield portal


# --- a browser: Debian's Chromium driven by Playwright --------------------------------

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


# Module scope: Playwright's sync API keeps an event loop running in this thread while it
# is open, which would stop pytest-asyncio's tests in later modules from running theirs.
@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def browser_login(page, live_portal: LivePortal, cloud: CloudTarget, who: str) -> None:
    acct = cloud.accounts[who]
    page.goto(f"{live_portal.url}/login/")
    page.fill("#id_domain", acct.domain)
    page.fill("#id_username", acct.username)
    page.fill("#id_password", acct.password)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-project]")


# --- a Celery worker + beat for the live portal (the vms poller and its follow-ups) ----

@pytest.fixture(scope="module")
def live_worker(live_portal, tmp_path_factory):
    """`celery -A portal worker -B` with the live portal's environment (same database and
    Redis), so pages served by `live_portal` update live. Module scope: tests that count
    the cloud's calls run without a poller in the background. With --layout=scaled: two
    workers and one beat of the scaled layout."""
    layout = getattr(live_portal, "scaled", None)
    if layout is not None:
        workers = layout.start_workers(2)
        yield workers[0]
        layout.stop_workers()
        return
    tmp = tmp_path_factory.mktemp("worker")
    # Its own queue: another test run on the same Redis must not take this one's tasks.
    env = dict(live_portal.env, PORTAL_CELERY_QUEUE=f"stackport-test-{os.getpid()}-{tmp.name}")
    log = open(tmp / "celery.log", "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "-B", "-l", "INFO",
         "--concurrency", "4", "-s", str(tmp / "beat-schedule"), "-n", f"test-{tmp.name}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while b"ready." not in (tmp / "celery.log").read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"celery worker did not start; see {log.name}")
        time.sleep(0.2)
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
