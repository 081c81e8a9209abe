"""Images made, changed and deleted outside the portal (with openstacksdk, as the
`openstack` CLI would) follow on an open images list without a reload: the row appears
queued, turns active with its Launch button, deactivated without it, and goes when the
image is deleted; another project's public image reaches every project's list but not a
list filtered to the project's own. The images poller's one Glance list per tick is all
that reaches the cloud."""

import uuid

import pytest
from openstack.image.v2.image import Image

from tests.browser.live import not_reloaded_and_clean, seconds_until, watch
from tests.conftest import browser_login
from tests.images.conftest import sweep

pytestmark = pytest.mark.browser
WAIT = 20000  # ms: a poll a second, and a loaded machine


@pytest.fixture
def prefix(cloud):
    name = f"lvi-{uuid.uuid4().hex[:6]}"
    yield name
    sweep(cloud.connect("admin"), name)


def row(image_id: str) -> str:
    return f"tbody#image-rows tr#image-{image_id}"


def record(conn, name: str, **attrs):
    """A Glance record without data yet: queued."""
    return conn.image.create_image(name=name, disk_format="raw", container_format="bare",
                                   data=None, allow_duplicates=True, wait=False, **attrs)


def test_an_image_made_outside_follows_its_statuses_on_the_open_list(
        page, live_portal, live_worker, cloud, prefix):
    alice, admin = cloud.connect("alice"), cloud.connect("admin")
    browser_login(page, live_portal, cloud, "alice")
    errors = watch(page, f"{live_portal.url}/images/")
    older = record(alice, f"{prefix}-older", visibility="private")
    took = seconds_until(page, f"{row(older.id)}[data-status=queued]", WAIT)
    print(f"\nimage made with the SDK -> row on the open page: {took:.2f} s")
    assert page.locator(f"{row(older.id)} [data-testid=launch-{older.id}]").count() == 0

    Image.existing(id=older.id, data=b"\0" * 1024).upload(alice.image)
    page.wait_for_selector(f"{row(older.id)}[data-status=active] "
                           f"[data-testid=launch-{older.id}]", timeout=WAIT)
    newer = record(alice, f"{prefix}-newer", visibility="shared")
    page.wait_for_selector(row(newer.id), timeout=WAIT)
    # Glance's order on the page, newest first: the newer row sits above the older one.
    ids = page.eval_on_selector_all("tbody#image-rows tr[data-live-key]",
                                    "rows => rows.map(r => r.id)")
    assert ids.index(f"image-{newer.id}") < ids.index(f"image-{older.id}")

    admin.image.deactivate_image(older.id)
    page.wait_for_selector(f"{row(older.id)}[data-status=deactivated]", timeout=WAIT)
    assert page.locator(f"{row(older.id)} [data-testid=launch-{older.id}]").count() == 0

    alice.image.delete_image(older.id)
    page.wait_for_selector(row(older.id), state="detached", timeout=WAIT)
    assert page.locator(row(newer.id)).count() == 1
    not_reloaded_and_clean(page, errors)


def test_another_projects_public_image_reaches_the_list_but_not_the_own_filter(
        page, live_portal, live_worker, cloud, prefix):
    admin = cloud.connect("admin")
    browser_login(page, live_portal, cloud, "bob")
    own_page = page.context.new_page()
    errors = watch(page, f"{live_portal.url}/images/")
    watch(own_page, f"{live_portal.url}/images/?shown=own")
    public = record(admin, f"{prefix}-pub", visibility="public")
    Image.existing(id=public.id, data=b"\0" * 1024).upload(admin.image)
    page.wait_for_selector(f"{row(public.id)}[data-status=active]", timeout=WAIT)
    assert "another project's" in page.locator(row(public.id)).inner_text()
    assert page.locator(f"{row(public.id)} [data-testid=launch-{public.id}]").count() == 1
    mine = record(cloud.connect("bob"), f"{prefix}-bobs", visibility="private")
    own_page.wait_for_selector(row(mine.id), timeout=WAIT)
    # The own page heard the public image before bob's own one, and did not take it.
    assert own_page.locator(row(public.id)).count() == 0

    admin.image.update_image(public.id, visibility="private")
    page.wait_for_selector(row(public.id), state="detached", timeout=WAIT)
    not_reloaded_and_clean(page, errors)
    assert own_page.evaluate("window.__notReloaded") is True


def test_the_detail_page_follows_its_image_badge_facts_and_launch(
        page, live_portal, live_worker, cloud, prefix):
    alice, admin = cloud.connect("alice"), cloud.connect("admin")
    image = record(alice, f"{prefix}-detail", visibility="private")
    browser_login(page, live_portal, cloud, "alice")
    errors = watch(page, f"{live_portal.url}/images/{image.id}/")
    assert page.locator("[data-testid=launch]").count() == 0
    Image.existing(id=image.id, data=b"\0" * 1024).upload(alice.image)
    page.wait_for_selector("[data-testid=image-status]:text-is('active')", timeout=WAIT)
    page.wait_for_selector("[data-testid=launch]", timeout=WAIT)
    checksum = alice.image.get_image(image.id).checksum
    page.wait_for_selector(f"[data-testid=image-facts] code:text-is('{checksum}')",
                           timeout=WAIT)
    admin.image.deactivate_image(image.id)
    page.wait_for_selector("[data-testid=image-status]:text-is('deactivated')", timeout=WAIT)
    assert page.locator("[data-testid=launch]").count() == 0
    assert page.locator("[data-testid=delete]").count() == 1     # still alice's to delete
    not_reloaded_and_clean(page, errors)
