"""The images poller against the cloud under test: one Glance list per tick for the
whole cloud (Glance has no changes-since, and a deleted image leaves no trace in a list
filtered by updated_at), diffed per image: a private image's row goes to its owner's
pages only, through queued, active, deactivated and gone, its Launch for those who may
change; a public one to every project's pages, the owner's with its own variant, and
away from the others' when it stops being public. A first tick only records."""

import pytest
from openstack.image.v2.image import Image

from images import poller
from portal import reads
from portal.cloud import service_connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(portal_settings, monkeypatch):
    poller.reset()
    sent = []
    monkeypatch.setattr(poller, "publish", lambda project, html, kind, audience=None:
                        sent.append((project, html, audience)))
    yield sent
    poller.reset()


def to(sent, project_id: str, audience: str | None = "member") -> str:
    """What the pages of one project and audience heard (audience None: every page)."""
    return "".join(html for p, html, a in sent if p == project_id and a in (audience, None))


def test_a_private_image_follows_its_statuses_on_its_owners_pages_only(
        pushed, cloud, make_image, admin_conn):
    alice, bob = cloud.connect("alice"), cloud.connect("bob")
    mine, theirs = alice.current_project_id, bob.current_project_id
    conn = service_connection()
    assert poller.poll(conn)["polled"] is True
    assert pushed == []  # the first tick records what is there, pushes nothing

    image = make_image("alice", "-priv", data=None, visibility="private")
    assert poller.poll(conn)["changed"] >= 1
    row = to(pushed, mine)
    assert f'id="image-{image.id}"' in row and 'data-live-row="images"' in row
    assert "<template>" in row and ">queued<" in row
    assert f"data-testid=\"launch-{image.id}\"" not in row      # nothing to launch yet
    assert f"image-{image.id}" not in to(pushed, theirs)
    pushed.clear()
    poller.poll(conn)
    assert f"image-{image.id}" not in to(pushed, mine)  # nothing changed, nothing sent

    Image.existing(id=image.id, data=b"\0" * 1024).upload(alice.image)
    poller.poll(conn)
    assert ">active<" in to(pushed, mine)
    assert f'data-testid="launch-{image.id}"' in to(pushed, mine, "member")
    assert f'data-testid="launch-{image.id}"' not in to(pushed, mine, "reader")
    # the detail page's panels: its facts, and its actions for those who may change
    assert f'id="image-facts-{image.id}"' in to(pushed, mine)
    assert 'data-testid="launch"' in to(pushed, mine, "member")
    assert 'data-testid="delete"' in to(pushed, mine, "member")
    assert 'data-testid="launch"' not in to(pushed, mine, "reader")
    pushed.clear()

    admin_conn.image.deactivate_image(image.id)
    poller.poll(conn)
    deactivated = to(pushed, mine)
    assert ">deactivated<" in deactivated and f"launch-{image.id}" not in deactivated
    assert f'id="image-status-{image.id}"' in deactivated          # the detail's badge
    pushed.clear()

    alice.image.delete_image(image.id)
    poller.poll(conn)
    assert f'<tr id="image-{image.id}" hx-swap-oob="delete">' in to(pushed, mine, None)
    assert f"image-{image.id}" not in to(pushed, theirs, None)


def test_a_public_image_reaches_every_project_and_leaves_them_when_made_private(
        pushed, cloud, make_image, admin_conn):
    alice = cloud.connect("alice")
    owner, other = admin_conn.current_project_id, alice.current_project_id
    conn = service_connection()
    poller.poll(conn)
    image = make_image("admin", "-pub", visibility="public")
    poller.poll(conn)
    assert f'id="image-{image.id}"' in to(pushed, other)
    assert "(another project's)" in to(pushed, other)
    assert f'id="image-{image.id}"' in to(pushed, owner)
    assert "another project" not in to(pushed, owner)
    assert f'data-testid="launch-{image.id}"' in to(pushed, other, "member")
    pushed.clear()

    admin_conn.image.update_image(image.id, visibility="private")
    poller.poll(conn)
    assert f'<tr id="image-{image.id}" hx-swap-oob="delete">' in to(pushed, other, None)
    assert 'data-live-v-visibility="private"' in to(pushed, owner)


def test_a_tick_is_one_glance_call_however_many_images_changed(pushed, cloud, make_image,
                                                               monkeypatch):
    conn = service_connection()
    poller.poll(conn)
    for n in range(3):
        make_image("alice", f"-n{n}")
    calls = []
    real = reads.get
    monkeypatch.setattr(reads, "get", lambda proxy, path, *a, **k: (
        calls.append(path), real(proxy, path, *a, **k))[1])
    assert poller.poll(conn)["changed"] >= 3
    assert calls == ["/images"]
