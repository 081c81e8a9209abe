"""Who may see and change what: alice cannot view, change or delete bob's network,
subnet, router, floating IP or security group by ID (every URL of the app), and a reader
sees everything with the changing buttons hidden and every changing POST refused."""

import pytest

from .helpers import tenant_network, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def bobs(cloud, prefix, pool):
    conn = cloud.connect("bob")
    net, subnet, router = tenant_network(conn, f"{prefix}-bob", "10.70.0.0/24", pool["id"])
    fip = conn.network.create_ip(floating_network_id=pool["id"])
    group = conn.network.create_security_group(name=f"{prefix}-bobsg")
    rule = conn.network.create_security_group_rule(
        security_group_id=group.id, direction="ingress", protocol="tcp", port_range_min=22,
        port_range_max=22, ethertype="IPv4")
    return {"net": net.id, "subnet": subnet.id, "router": router.id, "fip": fip.id,
            "sg": group.id, "rule": rule.id}


def urls(o):
    gets = [f"/network/networks/{o['net']}/", f"/network/networks/{o['net']}/rename/",
            f"/network/networks/{o['net']}/subnets/new/", f"/network/subnets/{o['subnet']}/edit/",
            f"/network/routers/{o['router']}/", f"/network/floating-ips/{o['fip']}/associate/",
            f"/network/security-groups/{o['sg']}/"]
    posts = [f"/network/networks/{o['net']}/rename/", f"/network/networks/{o['net']}/delete/",
             f"/network/networks/{o['net']}/subnets/new/",
             f"/network/subnets/{o['subnet']}/edit/", f"/network/subnets/{o['subnet']}/delete/",
             f"/network/routers/{o['router']}/interfaces/add/",
             f"/network/routers/{o['router']}/interfaces/remove/",
             f"/network/routers/{o['router']}/delete/",
             f"/network/floating-ips/{o['fip']}/associate/",
             f"/network/floating-ips/{o['fip']}/disassociate/",
             f"/network/floating-ips/{o['fip']}/release/",
             f"/network/security-groups/{o['sg']}/delete/",
             f"/network/security-groups/{o['sg']}/rules/add/",
             f"/network/security-groups/{o['sg']}/rules/{o['rule']}/delete/"]
    return gets, posts


FORM = {"name": "stolen", "cidr": "10.99.0.0/24", "gateway_mode": "auto", "preset": "ssh",
        "direction": "ingress", "remote_cidr": "0.0.0.0/0"}


@pytest.mark.parametrize("who", ["alice", "admin"])
def test_other_projects_objects_are_404_on_every_url(as_, cloud, bobs, who):
    """An admin's token can read bob's objects; the portal still answers 404 outside the
    admin's current project."""
    client = as_(who)
    gets, posts = urls(bobs)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        resp = client.post(url, {**FORM, "subnet": bobs["subnet"]})
        assert resp.status_code == 404, url
    bob = cloud.connect("bob")
    assert bob.network.get_network(bobs["net"]).name.endswith("-bob")
    assert bob.network.get_subnet(bobs["subnet"]) and bob.network.get_router(bobs["router"])
    assert bob.network.get_ip(bobs["fip"]) and bob.network.get_security_group(bobs["sg"])


def test_bobs_ids_in_alices_forms_are_404(as_, cloud, prefix, pool, bobs):
    alice, conn = as_("alice"), cloud.connect("alice")
    _, _, router = tenant_network(conn, f"{prefix}-a", "10.71.0.0/24", pool["id"])
    group = conn.network.create_security_group(name=f"{prefix}-asg")
    fip = conn.network.create_ip(floating_network_id=pool["id"])
    resp = alice.post(f"/network/routers/{router.id}/interfaces/add/",
                      {"subnet": bobs["subnet"]})
    assert resp.status_code == 404
    resp = alice.post(f"/network/security-groups/{group.id}/rules/add/",
                      {**FORM, "remote_cidr": "", "remote_group": bobs["sg"]})
    assert resp.status_code == 404
    bob_server_like = bobs["router"]  # any ID alice's server list does not have
    resp = alice.post(f"/network/floating-ips/{fip.id}/associate/", {"server": bob_server_like})
    assert resp.status_code == 404


def test_lists_show_only_the_current_project(as_, cloud, bobs, prefix):
    alice = as_("alice")
    for url in ("/network/", "/network/routers/", "/network/floating-ips/",
                "/network/security-groups/"):
        assert prefix not in text(alice.get(url)), url
        assert alice.get(url + "?all=1").status_code == 200
        assert prefix not in text(alice.get(url + "?all=1")), url  # only admins widen
    admin = as_("admin")
    assert f"{prefix}-bob" not in text(admin.get("/network/"))
    assert f"{prefix}-bob" in text(admin.get("/network/?all=1"))


def test_reader_sees_but_cannot_change(as_, cloud, prefix, pool):
    demo = cloud.connect("demo")
    net, subnet, router = tenant_network(demo, f"{prefix}-d", "10.72.0.0/24", pool["id"])
    fip = demo.network.create_ip(floating_network_id=pool["id"])
    group = demo.network.create_security_group(name=f"{prefix}-dsg")
    reader = as_("reader")
    pages = {"/network/": f"{prefix}-d", f"/network/networks/{net.id}/": "10.72.0.0/24",
             "/network/routers/": f"{prefix}-d-router",
             f"/network/routers/{router.id}/": "10.72.0.1",
             "/network/floating-ips/": fip.floating_ip_address,
             f"/network/security-groups/{group.id}/": group.name}
    for url, shown in pages.items():
        resp = reader.get(url)
        assert resp.status_code == 200 and shown in text(resp), url
        html = resp.content.decode()
        assert 'method="post" action="/network' not in html, url
        for button in ("New network", "Add subnet", "Delete", "Allocate", "Release",
                       "Add rule", "Remove"):
            assert f">{button}" not in html, (url, button)
    for url in ("/network/create/", "/network/new/", f"/network/networks/{net.id}/delete/",
                f"/network/subnets/{subnet.id}/delete/", f"/network/routers/{router.id}/delete/",
                "/network/floating-ips/allocate/", f"/network/floating-ips/{fip.id}/release/",
                f"/network/security-groups/{group.id}/delete/", "/network/security-groups/create/"):
        assert reader.post(url, {"name": "x", "pool": pool["id"]}).status_code == 403, url
    assert demo.network.get_network(net.id) and demo.network.get_ip(fip.id)
