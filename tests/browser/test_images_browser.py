"""By clicking in Chromium: an image uploaded from a file with its progress bar moving
(the browser's upload throttled so that it takes a few seconds), the image's page after
it, the row appearing live on an images list open beside it, then "Launch" on the images
list opening the launch form with that image chosen."""

import os
import re

import pytest

from tests.conftest import browser_login
from tests.images import conftest as images_fixtures

pytestmark = pytest.mark.browser
admin_conn, prefix = images_fixtures.admin_conn, images_fixtures.prefix   # the fixtures
SIZE = 3 * 1024 * 1024


@pytest.fixture
def disk_file(tmp_path):
    path = tmp_path / "disk.img"
    path.write_bytes(os.urandom(SIZE))
    return path


def throttle_uploads(page, bytes_per_second: int) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1,
        "uploadThroughput": bytes_per_second})


def test_upload_with_progress_then_launch_from_it(page, live_portal, cloud, disk_file,
                                                  admin_conn, prefix):
    name = f"{prefix}-browser"
    browser_login(page, live_portal, cloud, "alice")
    page.click("nav.sidebar >> text=Images")
    page.click("[data-testid=upload]")
    # a bad form first: its message comes back where it was typed, the file stays chosen
    page.set_input_files("[data-testid=file]", str(disk_file))
    page.fill("#id_name", "   ")                   # the browser's own check lets it pass
    page.select_option("#id_disk_format", "raw")
    page.click("[data-testid=upload-submit]")
    page.wait_for_selector("[data-testid=error-name]")
    assert page.eval_on_selector("[data-testid=file]", "el => el.files.length") == 1

    beside = page.context.new_page()               # the list, open while the upload runs
    beside.goto(f"{live_portal.url}/images/")
    beside.wait_for_selector("body[data-live=open]")   # its event socket is up
    page.fill("#id_name", name)
    throttle_uploads(page, 1024 * 1024)             # ~3 s for the file
    page.click("[data-testid=upload-submit]")
    bar = page.locator("[data-testid=upload-progress]")
    bar.wait_for(state="visible")
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=upload-progress]').value;"
        " return v > 0 && v < 100; }")
    assert re.search(r"\d+% — [\d.]+ MiB of 3\.0 MiB",
                     page.inner_text("[data-testid=upload-status]"))
    page.wait_for_url(re.compile(r"/images/[0-9a-f-]{36}/$"), timeout=60000)
    assert f"Image “{name}” uploaded: active." in page.inner_text("main")
    image_id = page.url.rstrip("/").rsplit("/", 1)[1]
    image = cloud.connect("alice").image.get_image(image_id)
    assert (image.status, image.size) == ("active", SIZE)
    live_row = beside.locator(f"#image-{image_id}")
    live_row.wait_for()                             # added, then replaced when active
    beside.wait_for_function(
        f"() => document.querySelector('#image-{image_id}').dataset.status === 'active'")
    assert name in live_row.inner_text()

    page.click("nav.sidebar >> text=Images")
    page.click(f"[data-testid=launch-{image_id}]")
    page.wait_for_selector("[data-testid=launch-form]")
    assert page.eval_on_selector("#id_image", "el => el.value") == image_id
