"""The Content-Security-Policy in Chromium: every page of the menu, htmx's live socket and
the noVNC console run under it without one violation (no inline script or style)."""

import time

import pytest

from tests.conftest import browser_login
from tests.consoles import live
from tests.pages import new_project_with

pytestmark = pytest.mark.browser


def violations(page) -> list[str]:
    """Chromium reports each refused script, style or connection on the console."""
    seen = []
    page.on("console", lambda msg: seen.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    return seen


def menu_links(page) -> list[str]:
    return page.eval_on_selector_all("#main-menu a", "links => links.map(a => a.href)")


def test_every_menu_page_runs_under_the_policy(page, live_portal, cloud):
    seen = violations(page)
    page.goto(f"{live_portal.url}/login/")
    csp = page.evaluate("() => fetch('/login/').then(r => r.headers.get("
                        "'content-security-policy'))")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    browser_login(page, live_portal, cloud, "admin")
    links = menu_links(page)
    assert len(links) >= 5
    for url in links:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    # htmx ran (its live socket is open) and its indicator rules come from portal.css.
    page.goto(f"{live_portal.url}/servers/")
    page.wait_for_function("() => window.htmx && document.body['htmx-internal-data']")
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("() => document.querySelectorAll('style').length") == 0
    assert seen == [], seen


def test_the_project_switcher_submits_without_inline_script(page, live_portal, cloud):
    seen = violations(page)
    with new_project_with(cloud, "alice", "csp") as extra:
        browser_login(page, live_portal, cloud, "alice")
        name = extra["project"].name
        page.select_option("#project-select", label=name)     # no button: the script submits
        page.wait_for_function(
            "(name) => document.querySelector('[data-testid=current-project]')"
            ".textContent.trim() === name", arg=name)
    assert seen == [], seen


@pytest.mark.devcloud_only(reason="needs a console behind the cloud's proxy")
def test_the_novnc_console_runs_under_the_policy(page, live_portal, cloud):
    seen = violations(page)
    with live.server(cloud, "alice", name=f"csp-{int(time.time()) % 10000}") as srv:
        browser_login(page, live_portal, cloud, "alice")
        page.goto(f"{live_portal.url}/consoles/{srv.id}/")
        page.wait_for_selector('[data-testid=console-state][data-state="connected"]')
        page.wait_for_function("() => { const c = document.querySelector('[data-screen] "
                               "canvas'); return c && c.width > 0; }")
        page.goto(f"{live_portal.url}/")
    assert seen == [], seen
