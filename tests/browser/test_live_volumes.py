"""Volumes made and deleted outside the portal (openstacksdk, as the `openstack` CLI
would) follow on an open volumes list without a reload: the row appears in Cinder's order
(newest first) and turns available, and goes when the volume is deleted. The volumes
poller's one Cinder list per tick is all that reaches the cloud."""

import time
import uuid

import pytest

from tests.browser.live import not_reloaded_and_clean, seconds_until, watch
from tests.conftest import browser_login

pytestmark = pytest.mark.browser
WAIT = 30000  # ms: a poll a second, a real Cinder, and a loaded machine


def test_volumes_made_and_deleted_outside_follow_on_the_open_list(page, live_portal,
                                                                  live_worker, cloud):
    alice = cloud.connect("alice")
    name = f"lvv-{uuid.uuid4().hex[:6]}"
    browser_login(page, live_portal, cloud, "alice")
    errors = watch(page, f"{live_portal.url}/volumes/")
    made, made_at = [], 0.0
    try:
        for suffix in ("older", "newer"):
            if made:  # Cinder keeps seconds: in the same one, the order is the ids'
                time.sleep(max(0.0, 1.1 - (time.time() - made_at)))
            made.append(alice.block_storage.create_volume(size=1, name=f"{name}-{suffix}"))
            made_at = time.time()
            took = seconds_until(page, f"tbody#volume-rows tr#volume-{made[-1].id}", WAIT)
            print(f"\nvolume made with the SDK -> row on the open page: {took:.2f} s")
        older, newer = made
        page.locator(f"tr#volume-{newer.id} [data-testid=volume-status]",
                     has_text="available").wait_for(timeout=WAIT)
        ids = page.eval_on_selector_all("tbody#volume-rows tr[data-live-key]",
                                        "rows => rows.map(r => r.id)")
        assert ids.index(f"volume-{newer.id}") < ids.index(f"volume-{older.id}")
        for vol in made:
            alice.block_storage.wait_for_status(vol, "available", wait=120)
            alice.block_storage.delete_volume(vol)
        for vol in made:
            page.wait_for_selector(f"tr#volume-{vol.id}", state="detached", timeout=WAIT)
        not_reloaded_and_clean(page, errors)
    finally:
        for vol in made:
            alice.block_storage.delete_volume(vol, ignore_missing=True)
        for vol in made:
            alice.block_storage.wait_for_delete(vol, wait=120)
