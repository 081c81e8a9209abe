"""Admin pages: floating IP pools (create, ranges, usage, delete refused while in use),
all floating IPs across projects with admin release, and the per-project quota."""

import re

import pytest

from .helpers import field_error, follow_messages, form_error, free_vlan, text

pytestmark = pytest.mark.django_db


def test_pool_create_range_usage_delete(as_, cloud, prefix, admin_conn):
    admin = as_("admin")
    vlan = free_vlan(admin_conn)
    # One form: the pool and its first range.
    resp = admin.post("/network/pools/create/", {"name": f"{prefix}-ext", "network_type": "vlan",
                                                 "physnet": "physnet1", "vlan_id": str(vlan),
                                                 "shared": "on", "cidr": "198.19.20.0/24",
                                                 "start": "198.19.20.10",
                                                 "end": "198.19.20.19"})
    assert resp.status_code == 302, form_error(resp)
    pool = admin_conn.network.find_network(f"{prefix}-ext")
    assert (pool.is_router_external, pool.is_shared, pool.provider_network_type,
            pool.provider_segmentation_id) == (True, True, "vlan", vlan)
    (first,) = admin_conn.network.subnets(network_id=pool.id)
    assert (first.cidr, first.allocation_pools, first.is_dhcp_enabled) == (
        "198.19.20.0/24", [{"start": "198.19.20.10", "end": "198.19.20.19"}], False)

    resp = admin.post("/network/pools/create/", {"name": f"{prefix}-dup", "network_type": "vlan",
                                                 "physnet": "physnet1", "vlan_id": str(vlan),
                                                 "cidr": "198.19.21.0/24",
                                                 "start": "198.19.21.10",
                                                 "end": "198.19.21.19"})
    assert resp.status_code == 400
    assert form_error(resp) == f"VLAN {vlan} on physnet1 is already used by another network."

    url = f"/network/pools/{pool.id}/"
    # Type, physnet and VLAN on both pages (Neutron's keys are provider:...).
    assert f"vlan on physnet1, VLAN {vlan} · shared" in text(admin.get(url))
    assert f"vlan on physnet1, VLAN {vlan}" in text(admin.get("/network/pools/"))
    # More ranges on the pool's page, each mistake in its own words.
    resp = admin.post(url, {"cidr": "198.19.20.128/25", "start": "198.19.20.130",
                            "end": "198.19.20.140"})
    assert field_error(resp, "cidr") == ("198.19.20.128/25 overlaps the pool's existing range "
                                         f"198.19.20.0/24 (“{prefix}-ext-198.19.20.0/24”): "
                                         "choose a subnet outside it.")
    resp = admin.post(url, {"cidr": "198.19.22.0/24", "start": "198.19.22.10",
                            "end": "198.19.2.20"})
    assert field_error(resp, "end") == "198.19.2.20 is not inside the subnet 198.19.22.0/24."
    resp = admin.post(url, {"cidr": "198.19.22.0/24", "start": "198.19.22.1",
                            "end": "198.19.22.20"})
    assert "becomes the upstream gateway" in field_error(resp, "start")
    assert len(list(admin_conn.network.subnets(network_id=pool.id))) == 1

    alice = cloud.connect("alice")
    fip = alice.network.create_ip(floating_network_id=pool.id)
    page = admin.get(url).content.decode()
    assert re.search(r'data-testid="usage">\s*1 / 10 · 9 free', page)
    assert re.search(r'<meter[^>]*value="10"', page)
    assert "1 / 10 · 9 free" in text(admin.get("/network/pools/"))

    page = follow_messages(admin, admin.post(f"{url}delete/"))
    assert f"The pool “{prefix}-ext” still has 1 floating IP allocated. Release them first." \
        in page
    subnet = first
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


def test_a_refused_first_range_leaves_no_pool_behind(portal_settings, cloud, prefix,
                                                     admin_conn):
    """Neutron refuses the range (a pool outside its subnet: what the form would have
    caught): the network made a moment before is deleted again, and the message says so."""
    import ipaddress

    from networks import services
    from portal.actor import Actor
    from portal.errors import CloudRefused

    actor = Actor.service(admin_conn.current_project_id)
    with pytest.raises(CloudRefused) as refused:
        services.create_pool(actor, f"{prefix}-bad", "vlan", "physnet1",
                             free_vlan(admin_conn), False, first_range={
                                 "cidr": ipaddress.ip_network("198.19.30.0/24"),
                                 "pools": [{"start": "198.19.31.10", "end": "198.19.31.20"}],
                                 "gateway": None})
    assert refused.value.message.startswith("The range was refused, so the pool was not "
                                            "created: ")
    assert admin_conn.network.find_network(f"{prefix}-bad") is None
