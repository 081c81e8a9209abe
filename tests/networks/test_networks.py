"""Networks, subnets, routers and the quick path, through the portal against the cloud."""

import re

import pytest

from .helpers import boot_server, field_error, follow_messages, form_error, tenant_network, text

pytestmark = pytest.mark.django_db


def test_create_rename_delete_network(as_, cloud, prefix):
    alice, conn = as_("alice"), cloud.connect("alice")
    resp = alice.post("/network/create/", {"name": f"{prefix}-net"})
    assert resp.status_code == 302
    net = conn.network.find_network(f"{prefix}-net")
    assert net.project_id == conn.current_project_id
    assert f"Network “{prefix}-net” created" in follow_messages(alice, resp)
    page = text(alice.get("/network/"))
    assert f"{prefix}-net" in page

    resp = alice.post(f"/network/networks/{net.id}/rename/", {"name": f"{prefix}-renamed"})
    assert resp.status_code == 302
    assert conn.network.get_network(net.id).name == f"{prefix}-renamed"

    resp = alice.post(f"/network/networks/{net.id}/delete/")
    assert resp.status_code == 302 and resp.url == "/network/"
    assert conn.network.find_network(net.id) is None


def test_list_shows_subnets_and_external_badge(as_, cloud, prefix, pool):
    alice, conn = as_("alice"), cloud.connect("alice")
    tenant_network(conn, f"{prefix}-a", "10.20.0.0/24")
    html = alice.get("/network/").content.decode()
    assert "10.20.0.0/24" in html
    row = html[html.index(pool["name"]):]
    assert row.index('badge warn">external') < row.index("</tr>")


def test_delete_network_with_server_names_what_is_attached(as_, cloud, prefix, pool):
    alice, conn = as_("alice"), cloud.connect("alice")
    net, _, _ = tenant_network(conn, f"{prefix}-busy", "10.21.0.0/24", pool["id"])
    boot_server(conn, f"{prefix}-web", net.id)
    resp = alice.post(f"/network/networks/{net.id}/delete/")
    page = follow_messages(alice, resp)
    assert f"Network “{prefix}-busy” still has server “{prefix}-web” (10.21.0." in page
    assert f"router “{prefix}-busy-router” (10.21.0.1)" in page
    assert conn.network.find_network(net.id) is not None


def test_network_page_names_ports_by_server_name_in_one_call(as_, cloud, prefix, pool):
    """Ports are named by their server (linked), routers' by the router, and the page's
    calls do not grow with the servers on it: one servers call names them all."""
    alice, conn = as_("alice"), cloud.connect("alice")
    net, _, router = tenant_network(conn, f"{prefix}-ports", "10.22.0.0/24", pool["id"])
    one = boot_server(conn, f"{prefix}-one", net.id)
    url = f"/network/networks/{net.id}/"
    alice.get(url)  # warm (version discovery)
    resp = alice.get(url)
    calls_with_one = int(resp["X-Cloud-Calls"])
    devices = re.findall(r'data-testid="port-device">(.*?)</td>', resp.content.decode())
    assert f'<a href="/servers/{one.id}/">{prefix}-one</a>' in devices
    assert any(f"/network/routers/{router.id}/" in d for d in devices)
    assert not any(one.id in d and "<code>" in d for d in devices)

    two = boot_server(conn, f"{prefix}-two", net.id)
    resp = alice.get(url)
    page = text(resp)
    assert f"{prefix}-one" in page and f"{prefix}-two" in page and two.id not in page
    assert int(resp["X-Cloud-Calls"]) == calls_with_one


def test_subnet_create_and_edit(as_, cloud, prefix):
    alice, conn = as_("alice"), cloud.connect("alice")
    net = conn.network.create_network(name=f"{prefix}-net")
    resp = alice.post(f"/network/networks/{net.id}/subnets/new/", {
        "name": "v4", "cidr": "10.30.0.0/24", "gateway_mode": "explicit",
        "gateway_ip": "10.30.0.254", "enable_dhcp": "on",
        "allocation_pools": "10.30.0.10-10.30.0.99", "dns_nameservers": "9.9.9.9"})
    assert resp.status_code == 302, form_error(resp)
    (s,) = conn.network.subnets(network_id=net.id)
    assert (s.cidr, s.gateway_ip, s.dns_nameservers) == ("10.30.0.0/24", "10.30.0.254",
                                                        ["9.9.9.9"])
    assert s.allocation_pools == [{"start": "10.30.0.10", "end": "10.30.0.99"}]

    resp = alice.post(f"/network/subnets/{s.id}/edit/", {
        "name": "v4b", "gateway_mode": "none", "allocation_pools": "10.30.0.10-10.30.0.120",
        "dns_nameservers": ""})
    assert resp.status_code == 302, form_error(resp)
    s = conn.network.get_subnet(s.id)
    assert (s.name, s.gateway_ip, s.is_dhcp_enabled) == ("v4b", None, False)

    resp = alice.post(f"/network/networks/{net.id}/subnets/new/", {
        "name": "v6", "cidr": "fd00:30::/64", "gateway_mode": "auto", "enable_dhcp": "on"})
    assert resp.status_code == 302, form_error(resp)
    assert {x.ip_version for x in conn.network.subnets(network_id=net.id)} == {4, 6}


def test_subnet_form_catches_overlap_with_the_networks_subnets(as_, cloud, prefix):
    alice, conn = as_("alice"), cloud.connect("alice")
    net, _, _ = tenant_network(conn, f"{prefix}-net", "10.31.0.0/24")
    resp = alice.post(f"/network/networks/{net.id}/subnets/new/", {
        "cidr": "10.31.0.128/25", "gateway_mode": "auto", "enable_dhcp": "on"})
    assert resp.status_code == 400
    assert "overlaps the subnet" in field_error(resp, "cidr")
    resp = alice.post(f"/network/networks/{net.id}/subnets/new/", {
        "cidr": "10.32.0.1/24", "gateway_mode": "auto", "enable_dhcp": "on"})
    assert "Did you mean 10.32.0.0/24?" in field_error(resp, "cidr")
    assert len(list(conn.network.subnets(network_id=net.id))) == 1


def test_subnet_neutron_refusal_is_shown_on_the_form(as_, cloud, prefix, admin_conn):
    """What the form cannot know (the project's subnet quota) comes back from Neutron and
    is shown on the form in words."""
    alice, conn = as_("alice"), cloud.connect("alice")
    net = conn.network.create_network(name=f"{prefix}-net")
    pid = conn.current_project_id
    before = admin_conn.network.get_quota(pid).subnets
    used = len(list(admin_conn.network.subnets(project_id=pid)))
    admin_conn.network.update_quota(pid, subnets=used)
    try:
        resp = alice.post(f"/network/networks/{net.id}/subnets/new/", {
            "cidr": "10.33.0.0/24", "gateway_mode": "auto", "enable_dhcp": "on"})
    finally:
        admin_conn.network.update_quota(pid, subnets=before)
    assert resp.status_code == 400
    assert form_error(resp) == "Your project has used its subnet quota."


def test_delete_subnet_in_use_is_refused_with_reason(as_, cloud, prefix, pool):
    alice, conn = as_("alice"), cloud.connect("alice")
    net, subnet, _ = tenant_network(conn, f"{prefix}-net", "10.34.0.0/24", pool["id"])
    page = follow_messages(alice, alice.post(f"/network/subnets/{subnet.id}/delete/"))
    assert "still has addresses in use" in page
    assert conn.network.find_subnet(subnet.id) is not None


def test_router_create_add_remove_interface_delete(as_, cloud, prefix, pool):
    alice, conn = as_("alice"), cloud.connect("alice")
    net, subnet, _ = tenant_network(conn, f"{prefix}-net", "10.40.0.0/24")
    resp = alice.post("/network/routers/create/", {"name": f"{prefix}-r", "pool": pool["id"]})
    assert resp.status_code == 302
    router = conn.network.find_router(f"{prefix}-r")
    assert router.external_gateway_info["network_id"] == pool["id"]

    resp = alice.post(f"/network/routers/{router.id}/interfaces/add/", {"subnet": subnet.id})
    assert resp.status_code == 302
    page = text(alice.get(f"/network/routers/{router.id}/"))
    assert "10.40.0.0/24" in page and "10.40.0.1" in page
    assert "10.40.0.1" in text(alice.get("/network/routers/"))

    page = follow_messages(alice, alice.post(f"/network/routers/{router.id}/delete/"))
    assert f"Router “{prefix}-r” still has subnets attached" in page

    resp = alice.post(f"/network/routers/{router.id}/interfaces/remove/",
                      {"subnet": subnet.id})
    assert resp.status_code == 302
    assert not list(conn.network.ports(device_id=router.id,
                                       device_owner="network:router_interface"))
    resp = alice.post(f"/network/routers/{router.id}/delete/")
    assert resp.url == "/network/routers/"
    assert conn.network.find_router(router.id) is None


def test_quick_path_creates_network_subnet_router(as_, cloud, prefix, pool):
    alice, conn = as_("alice"), cloud.connect("alice")
    resp = alice.post("/network/new/", {"name": f"{prefix}-q", "cidr": "10.50.0.0/24",
                                        "dns_nameservers": "1.1.1.1", "pool": pool["id"]})
    assert resp.status_code == 302, form_error(resp)
    net = conn.network.find_network(f"{prefix}-q")
    (subnet,) = conn.network.subnets(network_id=net.id)
    router = conn.network.find_router(f"{prefix}-q-router")
    assert subnet.cidr == "10.50.0.0/24" and subnet.dns_nameservers == ["1.1.1.1"]
    assert router.external_gateway_info["network_id"] == pool["id"]
    (iface,) = conn.network.ports(device_id=router.id, device_owner="network:router_interface")
    assert iface.fixed_ips[0]["subnet_id"] == subnet.id


@pytest.mark.devcloud_only(reason="fault injection")
def test_quick_path_rolls_back_when_the_router_fails(as_, cloud, prefix, pool):
    alice, conn, devcloud = as_("alice"), cloud.connect("alice"), cloud.devcloud
    devcloud.admin_api("POST", "faults", {"service": "network", "method": "POST",
                                          "path": "routers$", "status": 500, "count": 1})
    try:
        resp = alice.post("/network/new/", {"name": f"{prefix}-rb", "cidr": "10.51.0.0/24",
                                            "pool": pool["id"]})
    finally:
        devcloud.admin_api("DELETE", "faults")
    assert resp.status_code == 400
    assert form_error(resp).startswith("Creating the router failed, so nothing was created:")
    assert conn.network.find_network(f"{prefix}-rb") is None
    assert not [s for s in conn.network.subnets() if s.name.startswith(prefix)]
    assert conn.network.find_router(f"{prefix}-rb-router") is None


def test_quick_path_rolls_back_when_the_gateway_pool_is_full(as_, cloud, prefix, admin_conn):
    """The same rollback on any cloud: a pool with no free address for the router."""
    from .helpers import make_pool

    full = make_pool(admin_conn, f"{prefix}-full", "198.19.7.0/29", "198.19.7.2",
                     "198.19.7.2")
    admin_conn.network.create_ip(floating_network_id=full.id, description=prefix)
    alice, conn = as_("alice"), cloud.connect("alice")
    resp = alice.post("/network/new/", {"name": f"{prefix}-rb", "cidr": "10.52.0.0/24",
                                        "pool": full.id})
    assert resp.status_code == 400
    assert "Creating the router failed, so nothing was created" in form_error(resp)
    assert f"“{prefix}-full” has no free address" in form_error(resp)
    assert conn.network.find_network(f"{prefix}-rb") is None
    assert not list(conn.network.subnets(project_id=conn.current_project_id,
                                         name=f"{prefix}-rb-subnet"))


@pytest.mark.parametrize("quota,step", [("networks", "network"), ("subnets", "subnet"),
                                        ("routers", "router")])
def test_quick_path_over_a_quota_names_that_quota_and_leaves_nothing(as_, cloud, prefix,
                                                                     pool, admin_conn,
                                                                     quota, step):
    """Each quota the quick path can hit, named as Neutron names it (not "router" for
    all), and every step before it undone."""
    alice, conn = as_("alice"), cloud.connect("alice")
    pid = conn.current_project_id
    before = admin_conn.network.get_quota(pid)
    used = getattr(admin_conn.network.get_quota(pid, details=True), quota)["used"]
    admin_conn.network.update_quota(pid, **{quota: used})
    try:
        resp = alice.post("/network/new/", {"name": f"{prefix}-qq", "cidr": "10.53.0.0/24",
                                            "pool": pool["id"]})
    finally:
        admin_conn.network.update_quota(pid, **{quota: getattr(before, quota)})
    assert resp.status_code == 400
    noun = quota[:-1]
    assert form_error(resp) == (f"Creating the {step} failed, so nothing was created: "
                                f"Your project has used its {noun} quota.")
    assert conn.network.find_network(f"{prefix}-qq") is None
    assert not list(conn.network.subnets(project_id=pid, name=f"{prefix}-qq-subnet"))
    assert conn.network.find_router(f"{prefix}-qq-router") is None


def test_quick_path_at_the_port_quota_still_adds_the_router_interface(as_, cloud, prefix,
                                                                     pool, admin_conn):
    """Neutron creates a router interface's port itself, past the API's quota check: a
    project at its port quota still gets the whole quick path (and devcloud agrees)."""
    alice, conn = as_("alice"), cloud.connect("alice")
    pid = conn.current_project_id
    before = admin_conn.network.get_quota(pid)
    used = admin_conn.network.get_quota(pid, details=True).ports["used"]
    admin_conn.network.update_quota(pid, ports=used)
    try:
        resp = alice.post("/network/new/", {"name": f"{prefix}-pq", "cidr": "10.54.0.0/24",
                                            "pool": pool["id"]})
    finally:
        admin_conn.network.update_quota(pid, ports=before.ports)
    assert resp.status_code == 302
    router = conn.network.find_router(f"{prefix}-pq-router")
    assert router is not None
    assert [p.device_owner for p in conn.network.ports(device_id=router.id)] == [
        "network:router_interface"]


def test_quick_form_proposes_a_cidr_the_project_does_not_use(as_, cloud, prefix):
    """Not 10.0.0.0/24 again when the project has it: a CIDR that overlaps none of the
    project's subnets, and another one once that is taken too."""
    import ipaddress

    alice, conn = as_("alice"), cloud.connect("alice")
    net = conn.network.create_network(name=f"{prefix}-taken")
    conn.network.create_subnet(network_id=net.id, cidr="10.0.0.0/24", ip_version=4,
                               name=f"{prefix}-taken-subnet")

    def proposed():
        page = alice.get("/network/new/").content.decode()
        value = re.search(r'name="cidr"[^>]*value="([^"]+)"', page).group(1)
        mine = [ipaddress.ip_network(s.cidr) for s in
                conn.network.subnets(project_id=conn.current_project_id)]
        cidr = ipaddress.ip_network(value)
        assert not [m for m in mine if m.version == 4 and m.overlaps(cidr)], (value, mine)
        return value

    first = proposed()
    assert first != "10.0.0.0/24"
    conn.network.create_subnet(network_id=net.id, cidr=first, ip_version=4,
                               name=f"{prefix}-taken-subnet2")
    assert proposed() != first
