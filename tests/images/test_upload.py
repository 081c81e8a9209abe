"""Uploading an image through the portal (Django test client, in-process): the form's
messages, the ticket, the data PUT into a new image on the cloud under test (which stores
it: the bytes come back), a refused upload leaving no record, and who may upload.

The streaming path itself (uvicorn, a body read as it arrives, a browser that goes away
half way) is tests/images/test_streaming.py's, against the live web process."""

import hashlib
import json
import os

import pytest

from portal.models import AuditEvent
from tests.pages import text

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def form(prefix, **over):
    return {"name": f"{prefix}-up", "disk_format": "raw", "container_format": "bare",
            "visibility": "private", "min_disk": "0", "min_ram": "0", "file_size": "4096",
            "file_name": "disk.img", **over}


def checked(client, data) -> dict:
    resp = client.post("/images/upload/", data, **JSON)
    return {"status": resp.status_code, **json.loads(resp.content)}


def put(client, url, data: bytes):
    return client.put(url, data, content_type="application/octet-stream", **JSON)


def named(conn, name):
    return [i for i in conn.image.images(visibility="all") if i.name == name]


@pytest.mark.parametrize(("over", "field", "said"), [
    ({"name": "  "}, "name", "This field is required."),
    ({"disk_format": "floppy"}, "disk_format", "Select a valid choice."),
    ({"file_size": "0"}, "file", "The file is empty: choose a disk image."),
    ({"file_size": ""}, "file", "Choose a file to upload"),
    ({"visibility": "public"}, "visibility", "Only cloud administrators can make an image "
                                             "public."),
    ({"min_ram": "-1"}, "min_ram", "greater than or equal to 0"),
])
def test_bad_input_is_a_message_on_the_form(as_, cloud, prefix, over, field, said):
    alice = as_("alice")
    answer = checked(alice, form(prefix, **over))
    assert answer["status"] == 400 and not answer["ok"]
    assert f'data-testid="error-{field}"' in answer["form"]
    assert said in answer["form"]
    page = alice.post("/images/upload/", form(prefix, **over))   # without the script
    assert page.status_code == 400 and said in text(page)
    assert named(cloud.connect("alice"), f"{prefix}-up") == []   # nothing made


def test_multi_megabyte_upload_lands_in_the_cloud(as_, cloud, prefix):
    data = os.urandom(3 * 1024 * 1024 + 123)
    alice = as_("alice")
    answer = checked(alice, form(prefix, file_size=str(len(data)), min_disk="1",
                                 visibility="shared"))
    assert answer["ok"], answer
    resp = put(alice, answer["upload_url"], data)
    assert resp.status_code == 200, resp.content
    done = json.loads(resp.content)
    conn = cloud.connect("alice")
    image = conn.image.get_image(done["image_id"])
    assert (image.status, image.size, image.checksum) == (
        "active", len(data), hashlib.md5(data).hexdigest())
    assert (image.visibility, image.min_disk, image.disk_format) == ("shared", 1, "raw")
    assert b"".join(conn.image.download_image(image, stream=True).iter_content(1 << 20)) \
        == data
    assert done["image_url"] == f"/images/{image.id}/"
    assert f"Image “{prefix}-up” uploaded: active." in text(alice.get(done["image_url"]))
    actions = set(AuditEvent.objects.filter(target__contains=image.id)
                  .values_list("action", flat=True))
    assert actions == {"image.create", "image.upload"}


def test_a_refused_upload_leaves_no_record(as_, cloud, prefix):
    """Glance inspects qcow2 data: raw bytes called qcow2 are refused (415) after the
    record was made; the portal deletes it and says why."""
    data = b"\0" * 8192
    alice = as_("alice")
    answer = checked(alice, form(prefix, disk_format="qcow2", file_size=str(len(data))))
    resp = put(alice, answer["upload_url"], data)
    assert resp.status_code == 400
    said = json.loads(resp.content)["message"]
    assert "The file is not what its disk format says" in said
    assert "does not match stream data raw" in said
    assert named(cloud.connect("alice"), f"{prefix}-up") == []
    failed = AuditEvent.objects.get(action="image.upload_failed", target__startswith=prefix)
    assert "does not match" in failed.detail


def test_the_file_must_be_the_one_the_form_was_checked_for(as_, cloud, prefix):
    alice = as_("alice")
    answer = checked(alice, form(prefix, file_size="4096"))
    resp = put(alice, answer["upload_url"], b"x" * 100)
    assert resp.status_code == 400
    assert "not the one the form was checked for" in json.loads(resp.content)["message"]
    assert named(cloud.connect("alice"), f"{prefix}-up") == []


def test_a_ticket_is_the_persons_own(as_, cloud, prefix):
    answer = checked(as_("alice"), form(prefix))
    bob = as_("bob")
    assert put(bob, answer["upload_url"], b"x" * 4096).status_code == 404
    assert put(bob, "/images/upload/data/?ticket=forged", b"x" * 4096).status_code == 404
    assert named(cloud.connect("admin"), f"{prefix}-up") == []


@pytest.mark.parametrize("who", ["reader", "helpdesk"])
def test_readers_and_helpdesk_cannot_upload(as_, prefix, who):
    client = as_(who)
    assert client.get("/images/upload/").status_code == 403
    assert client.post("/images/upload/", form(prefix), **JSON).status_code == 403
    assert put(client, "/images/upload/data/?ticket=x", b"x" * 4096).status_code == 403
