"""Fixtures for the admin pages' tests: logged-in clients, the admin's connection, and a
name prefix whose flavors are deleted after the test."""

import uuid

import pytest

from tests.pages import login


@pytest.fixture(scope="module")
def admin_conn(cloud):
    return cloud.connect("admin")


@pytest.fixture
def as_(portal_settings, cloud):
    """as_("alice") → a Django test client logged in as alice."""
    return lambda who: login(cloud, who)


@pytest.fixture
def prefix(admin_conn):
    """A unique prefix for the test's flavor names and ids; those left are deleted after."""
    name = f"tf-{uuid.uuid4().hex[:8]}"
    yield name
    for f in admin_conn.compute.flavors(is_public=None):
        if f.name.lower().startswith(name) or f.id.lower().startswith(name):
            admin_conn.compute.delete_flavor(f.id)
