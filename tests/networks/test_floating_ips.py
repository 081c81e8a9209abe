"""Floating IPs: allocate, associate (server, then port / fixed IP), disassociate,
release; and each of Neutron's refusals in its own words."""

import pytest

from .helpers import boot_server, follow_messages, form_error, make_pool, tenant_network, text

pytestmark = pytest.mark.django_db


def allocate(client, pool_id):
    return client.post("/network/floating-ips/allocate/", {"pool": pool_id})


def test_allocate_associate_disassociate_release(as_, cloud, prefix, pool):
    alice, conn = as_("alice"), cloud.connect("alice")
    net, _, _ = tenant_network(conn, f"{prefix}-net", "10.60.0.0/24", pool["id"])
    server = boot_server(conn, f"{prefix}-vm", net.id)
    resp = allocate(alice, pool["id"])
    assert resp.status_code == 302, form_error(resp)
    (fip,) = conn.network.ips(floating_network_id=pool["id"],
                              project_id=conn.current_project_id)
    assert f"Floating IP {fip.floating_ip_address} allocated" in follow_messages(alice, resp)

    assert server.name in text(alice.get(f"/network/floating-ips/{fip.id}/associate/"))
    resp = alice.post(f"/network/floating-ips/{fip.id}/associate/", {"server": server.id})
    assert resp.status_code == 302, form_error(resp)
    fip = conn.network.get_ip(fip.id)
    assert fip.fixed_ip_address.startswith("10.60.0.")
    row = text(alice.get("/network/floating-ips/"))
    assert f"{fip.floating_ip_address} {pool['name']} {server.name} {fip.fixed_ip_address}" in row

    resp = alice.post(f"/network/floating-ips/{fip.id}/disassociate/")
    assert resp.status_code == 302
    assert conn.network.get_ip(fip.id).port_id is None
    resp = alice.post(f"/network/floating-ips/{fip.id}/release/")
    assert f"{fip.floating_ip_address} released" in follow_messages(alice, resp)
    assert conn.network.find_ip(fip.id) is None


def test_server_with_two_addresses_asks_which(as_, cloud, prefix, pool):
    alice, conn = as_("alice"), cloud.connect("alice")
    net, _, _ = tenant_network(conn, f"{prefix}-net", "10.61.0.0/24", pool["id"])
    server = boot_server(conn, f"{prefix}-vm", net.id)
    (port,) = conn.network.ports(device_id=server.id)
    subnet2 = conn.network.create_subnet(network_id=net.id, cidr="10.62.0.0/24", ip_version=4,
                                         name=f"{prefix}-s2")
    conn.network.update_port(port, fixed_ips=port.fixed_ips + [{"subnet_id": subnet2.id}])
    fip = conn.network.create_ip(floating_network_id=pool["id"])
    resp = alice.post(f"/network/floating-ips/{fip.id}/associate/", {"server": server.id})
    assert resp.status_code == 400
    assert 'name="target"' in resp.content.decode()
    first = port.fixed_ips[0]["ip_address"]
    resp = alice.post(f"/network/floating-ips/{fip.id}/associate/",
                      {"server": server.id, "target": f"{port.id}|{first}"})
    assert resp.status_code == 302, form_error(resp)
    assert conn.network.get_ip(fip.id).fixed_ip_address == first


def test_pool_exhausted(as_, cloud, prefix, admin_conn):
    tiny = make_pool(admin_conn, f"{prefix}-tiny", "198.19.9.0/29", "198.19.9.2",
                     "198.19.9.2")
    alice = as_("alice")
    assert allocate(alice, tiny.id).status_code == 302
    resp = allocate(alice, tiny.id)
    assert resp.status_code == 400
    assert form_error(resp) == (f"The pool “{prefix}-tiny” has no free addresses left. "
                                "Release a floating IP you no longer use, or ask an "
                                "administrator to add a range to the pool.")


def test_quota_exceeded(as_, cloud, prefix, pool, admin_conn):
    conn = cloud.connect("alice")
    pid = conn.current_project_id
    before = admin_conn.network.get_quota(pid).floating_ips
    used = len(list(admin_conn.network.ips(project_id=pid)))
    admin_conn.network.update_quota(pid, floating_ips=used)
    try:
        resp = allocate(as_("alice"), pool["id"])
    finally:
        admin_conn.network.update_quota(pid, floating_ips=before)
    assert resp.status_code == 400
    assert form_error(resp).startswith("Your project has used its floating IP quota.")


def test_no_router_from_the_servers_subnet(as_, cloud, prefix, pool):
    alice, conn = as_("alice"), cloud.connect("alice")
    net, _, _ = tenant_network(conn, f"{prefix}-island", "10.63.0.0/24")  # no router
    server = boot_server(conn, f"{prefix}-vm", net.id)
    fip = conn.network.create_ip(floating_network_id=pool["id"])
    resp = alice.post(f"/network/floating-ips/{fip.id}/associate/", {"server": server.id})
    assert resp.status_code == 400
    assert form_error(resp) == (
        f"“{prefix}-vm” cannot be reached from the pool “{pool['name']}”: no router "
        f"connects its subnet to that pool. Add the subnet to a router whose gateway is on "
        f"“{pool['name']}”.")


def test_already_associated(as_, cloud, prefix, pool):
    alice, conn = as_("alice"), cloud.connect("alice")
    net, _, _ = tenant_network(conn, f"{prefix}-net", "10.64.0.0/24", pool["id"])
    server = boot_server(conn, f"{prefix}-vm", net.id)
    (port,) = conn.network.ports(device_id=server.id)
    first = conn.network.create_ip(floating_network_id=pool["id"], port_id=port.id)
    second = conn.network.create_ip(floating_network_id=pool["id"])
    # The server's address already has a floating IP: Neutron refuses the second.
    resp = alice.post(f"/network/floating-ips/{second.id}/associate/", {"server": server.id})
    assert resp.status_code == 400
    assert form_error(resp) == (f"“{prefix}-vm” ({first.fixed_ip_address}) already has a "
                                "floating IP from this pool. Disassociate that one first.")
    # The floating IP itself is associated already: the form says so before asking Neutron.
    resp = alice.post(f"/network/floating-ips/{first.id}/associate/", {"server": server.id})
    assert form_error(resp) == (f"{first.floating_ip_address} is already associated. "
                                "Disassociate it first.")
