"""The key pairs page is a live list of its owner's key pairs: one imported or deleted in
another tab appears and goes in this one without a reload, in name order; another user's
open key pairs page gains nothing."""

import uuid

import pytest

from tests.browser.live import not_reloaded_and_clean, watch
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_a_key_pair_made_and_deleted_in_another_tab_shows_live(browser, live_portal, cloud):
    from vms import keys

    contexts = [browser.new_context() for _ in range(2)]
    try:
        mine, other = (c.new_page() for c in contexts)
        browser_login(mine, live_portal, cloud, "alice")
        tab = contexts[0].new_page()                      # alice's second tab
        browser_login(other, live_portal, cloud, "demo")  # another user
        url = f"{live_portal.url}/servers/keypairs/"
        errors = watch(mine, url)
        watch(other, url)
        name = f"aa-live-{uuid.uuid4().hex[:6]}"          # sorts first
        tab.goto(url)
        tab.fill("#id_name", name)
        tab.fill("#id_public_key", keys.generate()[0])
        tab.click("[data-testid=keypair-form] button[type=submit]")
        row = f"[data-testid=keypairs] tr[data-keypair='{name}']"
        mine.wait_for_selector(row, timeout=15000)
        assert mine.locator("[data-testid=keypairs] tbody tr[data-keypair]").first\
            .get_attribute("data-keypair") == name
        assert mine.locator(f"{row} [data-testid=delete-keypair]").count() == 1
        tab.goto(url)
        tab.click(f"tr[data-keypair='{name}'] [data-testid=delete-keypair]")
        tab.click(f"tr[data-keypair='{name}'] [data-testid=delete-keypair-confirm]")
        mine.wait_for_selector(row, state="detached", timeout=15000)
        not_reloaded_and_clean(mine, errors)
        assert other.locator(row).count() == 0
    finally:
        cloud.connect("alice").compute.delete_keypair(name, ignore_missing=True)
        for c in contexts:
            c.close()
