"""Log in through the real page in Chromium and see the project in the header."""

import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_demo_logs_in_and_sees_project(page, live_portal, cloud, tmp_path):
    browser_login(page, live_portal, cloud, "demo")
    assert page.inner_text("[data-testid=current-project]") == "demo"
    assert page.locator("nav.sidebar").is_visible()
    # The landing page is shown first; its usage fragment follows (Nova and Neutron).
    page.wait_for_selector("[data-testid=usage] meter")
    assert "Instances" in page.inner_text("[data-testid=usage]")
    page.screenshot(path=tmp_path / "home.png")


def test_wrong_password_message_on_form(page, live_portal, cloud):
    page.goto(f"{live_portal.url}/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "nope")
    page.click("button[type=submit]")
    assert page.inner_text("[data-testid=login-error]") == "Wrong user name or password."
