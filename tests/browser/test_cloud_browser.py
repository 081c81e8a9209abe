"""The admin's cloud page in Chromium: a compute service whose heartbeat stops shows as
down without a reload once the slow tick's watch looks (the same watch the Celery beat runs,
here started once by hand), and disabling a compute service asks first, in the page."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT, browser_login

pytestmark = [pytest.mark.browser,
              pytest.mark.devcloud_only(reason="stops a service's heartbeat (devcloud's admin "
                                               "API) and disables a compute host")]


@pytest.fixture
def compute01(cloud):
    cloud.devcloud.admin_api("POST", "config", {"compute_hosts": 2})
    conn = cloud.connect("admin")
    (svc,) = [s for s in conn.compute.services(binary="nova-compute", host="compute01")]
    yield svc
    cloud.devcloud.admin_api("DELETE", "services")
    cloud.devcloud.admin_api("POST", "config", {"compute_hosts": 1})


def watch_once(live_portal) -> str:
    """One look at the services, with the live portal's settings (database, Redis)."""
    done = subprocess.run([sys.executable, "manage.py", "watch_services"], cwd=ROOT,
                          env=live_portal.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_service_going_down_shows_live(page, live_portal, cloud, compute01, tmp_path):
    page.add_init_script("document.addEventListener('htmx:wsOpen', () => "
                         "{ window.__wsOpen = true; });")
    browser_login(page, live_portal, cloud, "admin")
    watch_once(live_portal)      # the watch's first look: what is up now
    page.goto(f"{live_portal.url}/admin/cloud/")
    state = page.locator(f"#nova-{compute01.id}-state")
    assert state.get_attribute("data-up") == "true"
    page.wait_for_function("() => window.__wsOpen === true")
    page.evaluate("window.__notReloaded = true")

    cloud.devcloud.admin_api("POST", "services", {"host": "compute01",
                                                  "binary": "nova-compute", "alive": False})
    assert "1 down" in watch_once(live_portal)
    page.wait_for_selector(f"#nova-{compute01.id}-state[data-up=false]", timeout=15000)
    assert state.inner_text().strip() == "down"
    assert "nova-compute on compute01" in page.locator("[data-testid=cloud-summary]").inner_text()
    assert page.evaluate("window.__notReloaded") is True
    page.screenshot(path=tmp_path / "cloud-down.png", full_page=True)

    # Back up: the next look says so too.
    cloud.devcloud.admin_api("POST", "services", {"host": "compute01",
                                                  "binary": "nova-compute", "alive": True})
    watch_once(live_portal)
    page.wait_for_selector(f"#nova-{compute01.id}-state[data-up=true]", timeout=15000)


def test_disable_asks_first_and_takes_a_reason(page, live_portal, cloud, compute01):
    browser_login(page, live_portal, cloud, "admin")
    page.goto(f"{live_portal.url}/admin/cloud/")
    page.click("[data-testid=disable-compute01]")
    panel = page.locator("[data-testid=disable-compute01-confirmation]")
    assert "Nova schedules no new servers to compute01" in panel.inner_text()
    panel.locator("[data-testid=disable-reason]").fill("new fans")
    panel.locator("[data-testid=disable-compute01-confirm]").click()
    page.wait_for_selector("[data-testid=enable-compute01]")
    assert "new fans" in page.locator(f"#nova-{compute01.id}-status").inner_text()
    conn = cloud.connect("admin")
    (svc,) = [s for s in conn.compute.services(binary="nova-compute", host="compute01")]
    assert (svc.status, svc.disabled_reason) == ("disabled", "new fans")
    page.click("[data-testid=enable-compute01]")
    page.wait_for_selector("[data-testid=disable-compute01]")
