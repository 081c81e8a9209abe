"""Admin pages: floating IP pools (create, ranges, usage, delete refused while in use),
all floating IPs across projects with admin release, and the per-project quota."""

import random
import re

import pytest

from .helpers import field_error, follow_messages, form_error, text

pytestmark = pytest.mark.django_db


def test_pool_create_range_usage_delete(as_, cloud, prefix, admin_conn):
    admin = as_("admin")
    vlan = random.randint(3000, 3999)
    resp = admin.post("/network/pools/create/", {"name": f"{prefix}-ext", "network_type": "vlan",
                                                 "physnet": "physnet1", "vlan_id": str(vlan),
                                                 "shared": "on"})
    assert resp.status_code == 302, form_error(resp)
    pool = admin_conn.network.find_network(f"{prefix}-ext")
    assert (pool.is_router_external, pool.is_shared, pool.provider_network_type,
            pool.provider_segmentation_id) == (True, True, "vlan", vlan)

    resp = admin.post("/network/pools/create/", {"name": f"{prefix}-dup", "network_type": "vlan",
                                                 "physnet": "physnet1", "vlan_id": str(vlan)})
    assert resp.status_code == 400
    assert form_error(resp) == f"VLAN {vlan} on physnet1 is already used by another network."

    url = f"/network/pools/{pool.id}/"
    resp = admin.post(url, {"cidr": "198.19.20.0/24", "start": "198.19.20.10",
                            "end": "198.19.20.19"})
    assert resp.status_code == 302, form_error(resp)
    resp = admin.post(url, {"cidr": "198.19.20.128/25", "start": "198.19.20.130",
                            "end": "198.19.20.140"})
    assert "overlaps the subnet" in field_error(resp, "cidr")

    alice = cloud.connect("alice")
    fip = alice.network.create_ip(floating_network_id=pool.id)
    page = admin.get(url).content.decode()
    assert re.search(r'data-testid="usage">\s*1 / 10 · 9 free', page)
    assert re.search(r'<meter[^>]*value="10"', page)
    assert "1 / 10 · 9 free" in text(admin.get("/network/pools/"))

    page = follow_messages(admin, admin.post(f"{url}delete/"))
    assert f"The pool “{prefix}-ext” still has 1 floating IP allocated. Release them first." \
        in page
    (subnet,) = admin_conn.network.subnets(network_id=pool.id)
    page = follow_messages(admin, admin.post(f"{url}ranges/{subnet.id}/delete/"))
    assert "Addresses from this range are in use" in page

    all_page = text(admin.get("/network/pools/floating-ips/"))
    assert fip.floating_ip_address in all_page and cloud.accounts["alice"].project in all_page
    resp = admin.post(f"/network/pools/floating-ips/{fip.id}/release/")
    assert f"{fip.floating_ip_address} released" in follow_messages(admin, resp)

    resp = admin.post(f"{url}ranges/{subnet.id}/delete/")
    assert not list(admin_conn.network.subnets(network_id=pool.id))
    resp = admin.post(f"{url}delete/")
    assert resp.url == "/network/pools/"
    assert admin_conn.network.find_network(pool.id) is None


def test_floating_ip_quota_view_and_change(as_, cloud, admin_conn):
    admin = as_("admin")
    pid = cloud.connect("bob").current_project_id
    before = admin_conn.network.get_quota(pid).floating_ips
    try:
        page = admin.get(f"/network/pools/quotas/?project={pid}").content.decode()
        assert f'value="{before}"' in page
        resp = admin.post("/network/pools/quotas/", {"project": pid, "floating_ips": "7"})
        assert resp.status_code == 302
        assert admin_conn.network.get_quota(pid).floating_ips == 7
        resp = admin.post("/network/pools/quotas/", {"project": pid, "floating_ips": "-5"})
        assert resp.status_code == 400
    finally:
        admin_conn.network.update_quota(pid, floating_ips=before)


def test_admin_pages_refuse_tenants(as_):
    alice = as_("alice")
    for url in ("/network/pools/", "/network/pools/create/", "/network/pools/floating-ips/",
                "/network/pools/quotas/"):
        assert alice.get(url).status_code == 403, url
