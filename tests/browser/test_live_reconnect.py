"""A page whose live socket dropped says so, reconnects by itself within a few seconds of
the server being back, and resyncs what changed meanwhile: tried by killing the web
process and by stopping the portal's Redis, with a server made and one deleted while the
page could hear nothing."""

import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from devcloud import testing
from portal import serve
from tests.conftest import ROOT, LivePortal, browser_login, portal_env
from tests.redisserver import Redis, answers

pytestmark = pytest.mark.browser


def wait_for(what, check, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.2)


class Web:
    """A web process that can be killed and started again on the same port."""

    def __init__(self, env: dict, tmp: Path):
        self.env, self.tmp, self.port, self.proc = env, tmp, testing.free_port(), None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        log = open(self.tmp / "web.log", "ab")
        self.proc = subprocess.Popen(serve.command(self.port), cwd=ROOT, env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT)
        wait_for("the portal answers", lambda: answers(self.port), 30)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def stack(cloud, tmp_path):
    redis = Redis(tmp_path)
    redis.start()
    env = dict(portal_env(cloud, tmp_path / "portal.sqlite3"),
               REDIS_URL=redis.url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    web = Web(env, tmp_path)
    web.start()
    try:
        yield web, redis
    finally:
        web.kill()
        redis.stop()


@pytest.fixture
def servers(cloud):
    """Boots alice's servers on a network of the test's own; deletes what is left."""
    conn = cloud.connect("alice")
    name = f"lr-{uuid.uuid4().hex[:6]}"
    net = conn.network.create_network(name=name)
    conn.network.create_subnet(network_id=net.id, cidr="10.64.0.0/24", ip_version=4)
    image = cloud.connect("admin").image.find_image("cirros")
    made = []

    def boot(suffix: str):
        server = conn.compute.create_server(name=f"{name}-{suffix}", flavor_id="1",
                                            image_id=image.id, networks=[{"uuid": net.id}])
        made.append(server)
        return server

    yield boot
    for s in made:
        conn.compute.delete_server(s, ignore_missing=True)
    for s in made:
        conn.compute.wait_for_delete(s, wait=120)
    conn.network.delete_network(net)


def open_list(page, web, cloud):
    browser_login(page, LivePortal(url=web.url, env=web.env, process=web.proc,
                                   log_path=web.tmp / "web.log"), cloud, "alice")
    page.goto(f"{web.url}/servers/")
    page.wait_for_selector("body[data-live=open]")


def test_a_restarted_web_process_is_reconnected_to_and_the_page_resynced(stack, servers,
                                                                         cloud, page):
    web, _redis = stack
    kept = servers("kept")
    open_list(page, web, cloud)
    page.wait_for_selector(f"#server-{kept.id}")
    web.kill()
    page.wait_for_selector("[data-testid=live-status]:has-text('reconnecting')")
    made = servers("made")                       # while the page hears nothing
    cloud.connect("alice").compute.delete_server(kept)
    cloud.connect("alice").compute.wait_for_delete(kept, wait=120)
    web.start()
    page.wait_for_selector(f"#server-{made.id}", timeout=20000)
    page.wait_for_selector(f"#server-{kept.id}", state="detached", timeout=20000)
    assert page.locator("[data-testid=live-status]").is_hidden()
    assert page.evaluate("document.body.dataset.live") == "open"


def test_redis_back_reconnects_the_page_and_resyncs_it(stack, servers, cloud, page):
    web, redis = stack
    open_list(page, web, cloud)
    redis.stop()
    page.wait_for_selector("body[data-live=closed]", timeout=20000)
    page.wait_for_selector("[data-testid=live-status]:has-text('reconnecting')")
    made = servers("during")
    redis.start()
    # The page's next try after Redis is back succeeds; a try that met Redis half up
    # (the web process's channel layer reconnecting) costs one more round of backoff.
    page.wait_for_selector("body[data-live=open]", timeout=45000)
    page.wait_for_selector(f"#server-{made.id}", timeout=20000)
    assert page.locator("[data-testid=live-status]").is_hidden()


def test_a_form_typed_into_is_not_overwritten_by_the_resync(stack, cloud, page):
    web, _redis = stack
    open_list(page, web, cloud)
    page.fill("input[name=name]", "typed by hand")
    web.kill()
    page.wait_for_selector("body[data-live=closed]")
    web.start()
    page.wait_for_selector("[data-testid=live-status]:has-text('reload it to see')",
                           timeout=20000)
    assert page.input_value("input[name=name]") == "typed by hand"


