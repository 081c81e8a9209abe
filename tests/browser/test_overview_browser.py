"""The tenant's Overview follows the project live: a network made (by the same person in
another tab) reaches the open page over /ws/events/ (the networks poller, in the worker,
pushes it), and the usage bars fetch themselves
again without a reload."""

import re
import uuid

import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def networks_bar(page) -> tuple[int, str]:
    labels = page.locator("[data-testid=bar-label]").all_inner_texts()
    figures = page.locator("[data-testid=bar-figures]").all_inner_texts()
    used, limit = dict(zip(labels, figures, strict=True))["Networks"].split(" / ")
    return int(used), limit


def test_the_usage_bars_follow_a_change_without_reload(page, live_portal, live_worker, cloud):
    page.add_init_script("document.addEventListener('htmx:wsOpen', () => "
                         "{ window.__wsOpen = true; });")
    browser_login(page, live_portal, cloud, "alice")
    page.goto(f"{live_portal.url}/")
    page.wait_for_selector("[data-testid=usage-network] [data-testid=bar-figures]")
    page.wait_for_function("() => window.__wsOpen === true")
    before, limit = networks_bar(page)
    page.evaluate("window.__notReloaded = true")

    other_tab = live_portal.login("alice", cloud)
    name = f"ov-{uuid.uuid4().hex[:6]}"
    made = other_tab.post(f"{live_portal.url}/network/create/", data={
        "csrfmiddlewaretoken": other_tab.cookies["csrftoken"], "name": name},
        headers={"Referer": f"{live_portal.url}/network/create/"})
    conn = cloud.connect("alice")
    try:
        assert made.status_code == 200 and re.search(r"/network/networks/[^/]+/", made.url)
        # The Networks bar itself (its <dt> label, then the figures in the next <dd>):
        # another bar of the section may show that number already.
        page.wait_for_function(
            "n => [...document.querySelectorAll('[data-testid=usage-network] "
            "[data-testid=bar-label]')].some(dt => dt.textContent.trim() === 'Networks' && "
            "dt.nextElementSibling.querySelector('[data-testid=bar-figures]')"
            ".textContent.trim().startsWith(n + ' /'))",
            arg=before + 1, timeout=15000)
        assert networks_bar(page) == (before + 1, limit)
        assert page.evaluate("window.__notReloaded") is True
    finally:
        for net in conn.network.networks(name=name):
            conn.network.delete_network(net)
