"""Fixtures for the images tests: logged-in clients, a per-test name prefix whose images
are deleted after (as admin, whichever project made them), and image makers."""

import uuid

import pytest

from tests.pages import login


def sweep(admin, prefix: str) -> None:
    """Delete every image (any project, any visibility) whose name starts with prefix."""
    for image in admin.image.images(visibility="all"):
        if (image.name or "").startswith(prefix):
            if image.is_protected:
                admin.image.update_image(image, is_protected=False)
            admin.image.delete_image(image, ignore_missing=True)


@pytest.fixture(scope="module")
def admin_conn(cloud):
    return cloud.connect("admin")


@pytest.fixture
def prefix(admin_conn):
    name = f"t-img-{uuid.uuid4().hex[:8]}"
    yield name
    sweep(admin_conn, name)


@pytest.fixture
def as_(portal_settings, cloud):
    """as_("alice") → a Django test client logged in as alice."""
    return lambda who: login(cloud, who)


@pytest.fixture
def make_image(cloud, prefix):
    """make_image("alice", "-x", visibility=..., data=b"...") → the image (openstacksdk),
    created by that account with its own connection; swept after the test by prefix."""
    def make(who: str, suffix: str = "", data: bytes | None = b"\0" * 1024, **attrs):
        conn = cloud.connect(who)
        attrs = {"disk_format": "raw", "container_format": "bare", **attrs}
        image = conn.image.create_image(name=f"{prefix}{suffix}", data=data,
                                        allow_duplicates=True, wait=data is not None,
                                        **attrs)
        return conn.image.get_image(image.id)
    return make
