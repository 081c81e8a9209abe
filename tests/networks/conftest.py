"""Fixtures for the networks tests: a floating IP pool of their own (created as admin),
logged-in clients, and a per-test name prefix whose objects are swept away after."""

import random

import pytest

from .helpers import drop_boot_parts, ensure_boot_parts, login, make_pool, sweep, unique


@pytest.fixture(scope="module")
def admin_conn(cloud):
    conn = cloud.connect("admin")
    made = ensure_boot_parts(conn)
    yield conn
    drop_boot_parts(conn, made)


@pytest.fixture(scope="module")
def pool(cloud, admin_conn):
    """A pool with plenty of addresses, for the module's tests."""
    third = random.randint(0, 255)
    name = unique("t-pool")
    net = make_pool(admin_conn, name, f"198.18.{third}.0/24", f"198.18.{third}.10",
                    f"198.18.{third}.200")
    yield {"id": net.id, "name": name}
    sweep(admin_conn, name, pool_ids=[net.id])


@pytest.fixture
def prefix(admin_conn, pool):
    """A unique name prefix for the test's objects; everything with it is deleted after,
    and so is every floating IP allocated from the module's pool."""
    name = unique("t")
    yield name
    sweep(admin_conn, name, pool_ids=[])
    for f in admin_conn.network.ips(floating_network_id=pool["id"]):
        admin_conn.network.delete_ip(f)


@pytest.fixture
def as_(portal_settings, cloud):
    """as_("alice") → a Django test client logged in as alice."""
    return lambda who: login(cloud, who)
