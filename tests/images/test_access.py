"""Who may reach what: every images URL answers 404 for another project's private (or
shared) image, whatever the token could read (an admin's reads them all); another
project's public or community image may be looked at and launched, never changed; readers
and helpdesk change nothing (403)."""

import pytest

pytestmark = pytest.mark.django_db

CHANGES = [("post", "visibility/", {"visibility": "community"}), ("post", "delete/", {})]


@pytest.mark.parametrize("who", ["bob", "admin"])
def test_another_projects_private_image_is_404_on_every_url(as_, make_image, cloud, who):
    image = make_image("alice", "-private", visibility="private")
    shared = make_image("alice", "-shared", visibility="shared")
    client = as_(who)
    for target in (image, shared):
        assert client.get(f"/images/{target.id}/").status_code == 404
        for method, path, data in CHANGES:
            resp = getattr(client, method)(f"/images/{target.id}/{path}", data)
            assert resp.status_code == 404, (who, path)
    page = client.get(f"/servers/launch/?image={image.id}").content.decode()
    assert f'<option value="{image.id}"' not in page
    still = cloud.connect("alice").image.get_image(image.id)
    assert (still.visibility, still.status) == ("private", "active")


def test_another_projects_public_image_is_seen_not_changed(as_, make_image, cloud):
    public = make_image("admin", "-public", visibility="public")
    community = make_image("bob", "-community", visibility="community")
    alice = as_("alice")
    for image in (public, community):
        page = alice.get(f"/images/{image.id}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-testid="delete"' not in html and "visibility-form" not in html
        assert 'data-testid="launch"' in html
        for method, path, data in CHANGES:
            assert getattr(alice, method)(f"/images/{image.id}/{path}", data).status_code \
                == 404
    assert cloud.connect("admin").image.get_image(public.id).visibility == "public"


def test_an_id_that_cannot_be_one_is_404_before_glance(as_):
    alice = as_("alice")
    assert alice.get("/images/" + "x" * 300 + "/").status_code == 404
    assert alice.get("/images/?marker=" + "%" * 10).status_code == 404


def test_readers_change_nothing(as_, make_image, cloud):
    image = make_image("demo", "-mine", visibility="private")
    reader = as_("reader")
    listed = reader.get("/images/")
    assert listed.status_code == 200
    html = listed.content.decode()
    assert f'id="image-{image.id}"' in html         # the project's images, no changing links
    assert "Upload image" not in html and f"launch-{image.id}" not in html
    detail = reader.get(f"/images/{image.id}/").content.decode()
    assert 'data-testid="delete"' not in detail and "visibility-form" not in detail
    for method, path, data in CHANGES:
        assert getattr(reader, method)(f"/images/{image.id}/{path}", data).status_code \
            == 403
    assert reader.get("/images/upload/").status_code == 403
    still = cloud.connect("demo").image.get_image(image.id)
    assert (still.visibility, still.status) == ("private", "active")


def test_helpdesk_changes_nothing(as_, make_image, cloud):
    """Helpdesk's role is not a reader's: Glance itself refuses it the list (the page
    says so), and every change is the portal's 403 before Glance is asked."""
    image = make_image("admin", "-mine", visibility="private")
    helpdesk = as_("helpdesk")
    listed = helpdesk.get("/images/")
    assert listed.status_code == 403
    assert "You are not authorized to complete get_images action." in listed.content.decode()
    for method, path, data in CHANGES:
        assert getattr(helpdesk, method)(f"/images/{image.id}/{path}", data).status_code \
            == 403
    assert helpdesk.get("/images/upload/").status_code == 403
    still = cloud.connect("admin").image.get_image(image.id)
    assert (still.visibility, still.status) == ("private", "active")
