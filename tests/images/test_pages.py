"""The images pages on the cloud under test: the list (own, shared, public and community
images, snapshots marked, filter by visibility, one Glance call), the detail, changing
visibility (public only for admins), delete, and Launch from an image."""

import re

import pytest

from portal.models import AuditEvent
from tests.pages import text

pytestmark = pytest.mark.django_db


def row_of(resp, image_id) -> str:
    m = re.search(rf'<tr id="image-{image_id}".*?</tr>', resp.content.decode(), re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(0))) if m else ""


def test_list_shows_own_shared_public_and_community_images(as_, make_image):
    own = make_image("alice", "-own", visibility="private")
    shared = make_image("alice", "-shared", visibility="shared")
    snapshot = make_image("alice", "-snap", visibility="private", image_type="snapshot",
                          instance_uuid="3f1c1f7e-1111-4d8e-9c5a-2f2a8e0d2b11")
    public = make_image("admin", "-public", visibility="public", min_disk=1, min_ram=64)
    community = make_image("bob", "-community", visibility="community")
    bobs_private = make_image("bob", "-bobs", visibility="private")
    alice = as_("alice")
    alice.get("/images/")       # the first look at Glance also reads its version document
    resp = alice.get("/images/")
    assert resp.status_code == 200
    assert resp["X-Cloud-Calls"] == "1"
    for image, visibility in [(own, "private"), (shared, "shared"), (public, "public"),
                              (community, "community")]:
        assert f"{image.name} " in row_of(resp, image.id), image.name
        assert visibility in row_of(resp, image.id)
    assert "1.0 KiB" in row_of(resp, own.id) and "raw" in row_of(resp, own.id)
    assert "1 GB / 64 MiB" in row_of(resp, public.id)
    assert "another project's" in row_of(resp, community.id)
    assert "snapshot" in row_of(resp, snapshot.id)
    assert "snapshot" not in row_of(resp, own.id)
    assert row_of(resp, bobs_private.id) == ""          # another project's private image
    assert f'href="/servers/launch/?image={own.id}"' in resp.content.decode()


@pytest.mark.parametrize(("shown", "expected", "absent"), [
    ("own", {"-own", "-shared"}, {"-public", "-community"}),
    ("public", {"-public"}, {"-own", "-shared", "-community"}),
    ("community", {"-community"}, {"-own", "-public"}),
    ("shared", {"-shared"}, {"-own", "-public", "-community"}),
    ("private", {"-own"}, {"-shared", "-public"}),
])
def test_list_filters_by_visibility(as_, make_image, shown, expected, absent):
    made = {"-own": make_image("alice", "-own", visibility="private"),
            "-shared": make_image("alice", "-shared", visibility="shared"),
            "-public": make_image("admin", "-public", visibility="public"),
            "-community": make_image("bob", "-community", visibility="community")}
    alice = as_("alice")
    alice.get("/images/")
    resp = alice.get(f"/images/?shown={shown}")
    assert resp.status_code == 200 and resp["X-Cloud-Calls"] == "1"
    for suffix in expected:
        assert row_of(resp, made[suffix].id), suffix
    for suffix in absent:
        assert not row_of(resp, made[suffix].id), suffix


def test_unknown_filter_says_so_and_shows_everything(as_, make_image):
    own = make_image("alice", "-own")
    resp = as_("alice").get("/images/?shown=bogus")
    assert "No such filter" in text(resp) and row_of(resp, own.id)


def test_detail_and_change_visibility(as_, make_image, cloud):
    image = make_image("alice", "-vis", visibility="private")
    alice, conn = as_("alice"), cloud.connect("alice")
    page = alice.get(f"/images/{image.id}/")
    assert page.status_code == 200
    assert image.id in text(page) and "Change visibility" in text(page)
    assert 'value="public"' not in page.content.decode()   # not offered to a member
    for value in ("shared", "community", "private"):
        resp = alice.post(f"/images/{image.id}/visibility/", {"visibility": value})
        assert resp.status_code == 302
        assert conn.image.get_image(image.id).visibility == value
    assert AuditEvent.objects.filter(action="image.visibility", detail="community").exists()
    resp = alice.post(f"/images/{image.id}/visibility/", {"visibility": "public"})
    page = alice.get(resp.url)
    assert "Only cloud administrators can make an image public" in text(page)
    assert conn.image.get_image(image.id).visibility == "private"


def test_admin_makes_own_image_public(as_, make_image, cloud):
    image = make_image("admin", "-pub", visibility="private")
    admin = as_("admin")
    assert 'value="public"' in admin.get(f"/images/{image.id}/").content.decode()
    resp = admin.post(f"/images/{image.id}/visibility/", {"visibility": "public"})
    assert resp.status_code == 302
    assert cloud.connect("admin").image.get_image(image.id).visibility == "public"


def test_delete_asks_in_the_page_then_deletes(as_, make_image, cloud):
    image = make_image("alice", "-del")
    alice = as_("alice")
    page = alice.get(f"/images/{image.id}/").content.decode()
    assert 'data-testid="delete-confirmation"' in page
    assert "Servers already running from it keep running" in page
    resp = alice.post(f"/images/{image.id}/delete/")
    assert resp.status_code == 302 and resp.url == "/images/"
    assert f"Image “{image.name}” deleted." in text(alice.get(resp.url))
    assert cloud.connect("alice").image.find_image(image.id) is None
    assert AuditEvent.objects.filter(action="image.delete").exists()


def test_protected_image_is_not_offered_for_delete_and_refused(as_, make_image, cloud):
    image = make_image("alice", "-prot", is_protected=True)
    alice = as_("alice")
    assert 'data-testid="delete"' not in alice.get(f"/images/{image.id}/").content.decode()
    resp = alice.post(f"/images/{image.id}/delete/")
    assert resp.url == f"/images/{image.id}/"
    assert "cannot be deleted" in text(alice.get(resp.url))
    assert cloud.connect("alice").image.get_image(image.id).is_protected


def test_launch_from_an_image_preselects_it(as_, make_image):
    own = make_image("alice", "-launch")
    community = make_image("bob", "-comm", visibility="community")
    alice = as_("alice")
    for image in (own, community):
        page = alice.get(f"/servers/launch/?image={image.id}").content.decode()
        assert re.search(rf'<option value="{image.id}" selected>', page), image.name
    bobs = make_image("bob", "-priv", visibility="private")
    page = alice.get(f"/servers/launch/?image={bobs.id}").content.decode()
    assert f'<option value="{bobs.id}"' not in page     # not the project's to use


def test_the_list_says_what_it_shows_for_rows_pushed_live(as_, make_image):
    """The list is a live list (portal/live.py): its filter in the rows' terms, newest
    first, first/last page; each row its sort key (created_at, id) and values."""
    own = make_image("alice", "-live", visibility="private")
    alice = as_("alice")
    html = alice.get("/images/").content.decode()
    assert 'data-live-list="images" data-live-filter="[]" data-live-order="desc"' in html
    assert "data-live-first" in html
    row = re.search(rf'<tr id="image-{own.id}"[^>]*>', html).group(0)
    assert f'data-live-key="{own.created_at} {own.id}"' in row
    assert 'data-live-v-visibility="private"' in row
    assert f'data-live-v-owner="{own.owner}"' in row
    only_own = alice.get("/images/?shown=own").content.decode()
    assert f'[[&quot;owner&quot;, &quot;eq&quot;, &quot;{own.owner}&quot;]]' in only_own
    public = alice.get("/images/?shown=public").content.decode()
    assert '[[&quot;visibility&quot;, &quot;eq&quot;, &quot;public&quot;]]' in public
    assert "<tr data-live-empty>" in public
