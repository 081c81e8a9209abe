"""By clicking in Chromium: the quick path makes network + subnet + router, then a
floating IP is allocated and associated to a server (booted in setup as alice)."""

import random

import pytest

from tests.conftest import browser_login
from tests.networks.helpers import (
    boot_server,
    drop_boot_parts,
    ensure_boot_parts,
    make_pool,
    sweep,
    unique,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def setup_cloud(cloud):
    admin = cloud.connect("admin")
    made = ensure_boot_parts(admin)
    name = unique("tb")
    third = random.randint(0, 255)
    pool = make_pool(admin, f"{name}-pool", f"198.18.{third}.0/24", f"198.18.{third}.10",
                     f"198.18.{third}.50")
    yield {"prefix": name, "pool": pool, "admin": admin}
    sweep(admin, name, pool_ids=[pool.id])
    drop_boot_parts(admin, made)


def test_quick_path_then_floating_ip_by_clicking(page, live_portal, cloud, setup_cloud):
    prefix, pool = setup_cloud["prefix"], setup_cloud["pool"]
    browser_login(page, live_portal, cloud, "alice")
    page.click("nav.sidebar >> text=Networks")
    page.click("text=New network")
    page.fill("#id_name", f"{prefix}-net")
    page.fill("#id_cidr", "10.80.0.0/24")
    page.select_option("#id_pool", pool.id)
    page.click("text=Create network, subnet and router")
    page.wait_for_selector("text=created.")
    assert "10.80.0.0/24" in page.inner_text("[data-testid=subnets]")

    conn = cloud.connect("alice")
    net = conn.network.find_network(f"{prefix}-net")
    assert conn.network.find_router(f"{prefix}-net-router") is not None
    server = boot_server(conn, f"{prefix}-vm", net.id)

    page.click("nav.sidebar >> text=Floating IPs")
    page.select_option("#id_pool", pool.id)
    page.click("text=Allocate floating IP")
    page.wait_for_selector("text=allocated from")
    page.click("[data-testid=floating-ips] a:text-is('Associate')")
    page.select_option("#id_server", server.id)
    page.click("button:text-is('Associate')")
    page.wait_for_selector("text=now points at")
    row = page.inner_text("[data-testid=floating-ips]")
    assert f"{prefix}-vm" in row and "10.80.0." in row
