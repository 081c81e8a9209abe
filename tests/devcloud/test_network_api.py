"""Neutron's API-wide behaviour in devcloud: list semantics (filters, OR on repeats,
fields, sorting, paging links), project isolation, the reader role, IP availability,
agents, extensions, version document and fault injection."""

import urllib.parse
import uuid

import pytest
import requests

from .neutron import Neutron


@pytest.fixture(scope="module")
def lab(neutron_demo):
    """A network with a subnet and three ports on two devices."""
    net = neutron_demo.network(name=f"lab-{uuid.uuid4().hex[:6]}")
    sub = neutron_demo.subnet(net["id"], "10.70.0.0/24", enable_dhcp=False)
    ports = [neutron_demo.port(net["id"], device_id=d, name=f"p{i}")
             for i, d in enumerate(["dev-a", "dev-b", "dev-b"])]
    yield {"net": net, "sub": sub, "ports": ports}
    for port in ports:
        neutron_demo.call("DELETE", f"/ports/{port['id']}")
    neutron_demo.call("DELETE", f"/networks/{net['id']}")


def _list(client, path, params):
    resp = client.call("GET", path, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_repeated_filter_is_or(neutron_demo, lab):
    got = _list(neutron_demo, "/ports", [("device_id", "dev-a"), ("device_id", "dev-b")])["ports"]
    assert {p["id"] for p in got} == {p["id"] for p in lab["ports"]}
    only_b = _list(neutron_demo, "/ports", [("device_id", "dev-b")])["ports"]
    assert len(only_b) == 2
    assert _list(neutron_demo, "/ports", [("device_id", "dev-a"), ("name", "p1")])["ports"] == []


def test_filters_on_any_attribute_and_fixed_ips(neutron_demo, lab):
    ip = lab["ports"][1]["fixed_ips"][0]["ip_address"]
    got = _list(neutron_demo, "/ports", {"fixed_ips": f"ip_address={ip}"})["ports"]
    assert [p["id"] for p in got] == [lab["ports"][1]["id"]]
    assert _list(neutron_demo, "/networks", {"name": lab["net"]["name"], "shared": "false"})[
        "networks"][0]["id"] == lab["net"]["id"]
    assert _list(neutron_demo, "/subnets", {"network_id": lab["net"]["id"],
                                            "cidr": "10.70.0.0/24"})[
        "subnets"][0]["id"] == lab["sub"]["id"]
    neutron_demo.refused("GET", "/networks?bogus=1", None, 400, "HTTPBadRequest",
                         "['bogus'] is invalid attribute for filtering")


def test_fields_selects_attributes(neutron_demo, lab):
    got = _list(neutron_demo, "/networks", [("fields", "id"), ("fields", "name"),
                                            ("id", lab["net"]["id"])])["networks"]
    assert got == [{"id": lab["net"]["id"], "name": lab["net"]["name"]}]


def test_sorting_and_bad_sort_dir(neutron_demo, lab):
    names = [p["name"] for p in _list(neutron_demo, "/ports", [
        ("network_id", lab["net"]["id"]), ("sort_key", "name"), ("sort_dir", "desc")])["ports"]]
    assert names == ["p2", "p1", "p0"]
    neutron_demo.refused("GET", "/networks?sort_key=name&sort_dir=up", None, 400, "HTTPBadRequest",
                         "['up'] is invalid value for sort_dirs, valid value is 'asc' and 'desc'")


def test_paging_follows_next_links(neutron_demo, lab):
    seen, params, pages = [], {"network_id": lab["net"]["id"], "limit": 2}, 0
    url = neutron_demo.base + "/ports?" + urllib.parse.urlencode(params)
    while url and pages < 5:
        body = requests.get(url, headers={"X-Auth-Token": neutron_demo.token}, timeout=10).json()
        seen += [p["id"] for p in body["ports"]]
        links = {lnk["rel"]: lnk["href"] for lnk in body.get("ports_links", [])}
        url = links.get("next") if len(body["ports"]) == 2 else None
        pages += 1
    assert sorted(seen) == sorted(p["id"] for p in lab["ports"])
    first = _list(neutron_demo, "/ports", params)
    assert [lnk["rel"] for lnk in first["ports_links"]] == ["next", "previous"]
    last_id = first["ports"][-1]["id"]
    nxt = _list(neutron_demo, "/ports", {**params, "marker": last_id})
    assert len(nxt["ports"]) == 1 and [lnk["rel"] for lnk in nxt["ports_links"]] == ["previous"]
    back = _list(neutron_demo, "/ports", {**params, "marker": nxt["ports"][0]["id"],
                                          "page_reverse": "True"})
    assert [p["id"] for p in back["ports"]] == [p["id"] for p in first["ports"]]


def test_sdk_pagination(clouds_env, lab):
    import openstack
    conn = openstack.connect(cloud="devcloud-demo")
    ports = list(conn.network.ports(network_id=lab["net"]["id"], limit=1))
    assert len(ports) == 3


# --- isolation and policy ------------------------------------------------------------------

@pytest.fixture(scope="module")
def bobs(devcloud):
    bob = Neutron(devcloud, "bob")
    net = bob.one("networks", name="private")
    sub = bob.one("subnets", name="private-subnet")
    router = bob.one("routers", name="router1")
    port = bob.port(net["id"])
    public = bob.one("networks", name="public")
    fip = bob.ok("POST", "/floatingips", {"floatingip": {
        "floating_network_id": public["id"]}})["floatingip"]
    group = bob.one("security-groups", name="default")
    yield {"networks": net, "subnets": sub, "routers": router, "ports": port,
           "floatingips": fip, "security-groups": group}
    bob.call("DELETE", f"/floatingips/{fip['id']}")
    bob.call("DELETE", f"/ports/{port['id']}")


NOT_FOUND = {"networks": ("NetworkNotFound", "Network {} could not be found."),
             "subnets": ("SubnetNotFound", "Subnet {} could not be found."),
             "ports": ("PortNotFound", "Port {} could not be found."),
             "routers": ("RouterNotFound", "Router {} could not be found"),
             "floatingips": ("FloatingIPNotFound", "Floating IP {} could not be found"),
             "security-groups": ("SecurityGroupNotFound", "Security group {} does not exist")}


@pytest.mark.parametrize("collection", list(NOT_FOUND))
def test_alice_cannot_see_or_touch_bobs_objects(devcloud, bobs, collection):
    alice = Neutron(devcloud, "alice")
    obj_id = bobs[collection]["id"]
    kind, text = NOT_FOUND[collection]
    key = collection.replace("-", "_")[:-1]
    for method, body in (("GET", None), ("PUT", {key: {"description": "mine"}}), ("DELETE", None)):
        alice.refused(method, f"/{collection}/{obj_id}", body, 404, kind, text.format(obj_id))
    listed = alice.call("GET", f"/{collection}").json()[collection.replace("-", "_")]
    assert obj_id not in {o["id"] for o in listed}


def test_alice_cannot_use_bobs_network_or_port(devcloud, bobs):
    alice = Neutron(devcloud, "alice")
    net_id = bobs["networks"]["id"]
    alice.refused("POST", "/ports", {"port": {"network_id": net_id}}, 404, "NetworkNotFound")
    alice.refused("POST", "/subnets", {"subnet": {"network_id": net_id, "ip_version": 4,
                                                  "cidr": "10.1.0.0/24"}}, 404,
                  "NetworkNotFound")
    router = alice.one("routers", name="router1")
    alice.refused("PUT", f"/routers/{router['id']}/add_router_interface",
                  {"subnet_id": bobs["subnets"]["id"]}, 404, "SubnetNotFound")
    fip = alice.one("networks", name="public")
    made = alice.ok("POST", "/floatingips", {"floatingip": {"floating_network_id": fip["id"]}})
    try:
        alice.refused("PUT", f"/floatingips/{made['floatingip']['id']}",
                      {"floatingip": {"port_id": bobs["ports"]["id"]}}, 404, "PortNotFound")
    finally:
        alice.ok("DELETE", f"/floatingips/{made['floatingip']['id']}")


def test_tenant_sees_external_network_but_cannot_change_it(neutron_demo):
    public = neutron_demo.one("networks", name="public")
    assert "provider:network_type" not in public
    neutron_demo.refused("DELETE", f"/networks/{public['id']}", None, 403, "PolicyNotAuthorized",
                         "rule:delete_network is disallowed by policy")


def test_admin_sees_every_project(neutron_admin):
    names = [n["name"] for n in neutron_admin.call("GET", "/networks").json()["networks"]]
    assert names.count("private") >= 3


@pytest.mark.parametrize("method,path,body,rule", [
    ("POST", "/networks", {"network": {"name": "r"}}, "create_network"),
    ("POST", "/routers", {"router": {"name": "r"}}, "create_router"),
    ("POST", "/security-groups", {"security_group": {"name": "r"}}, "create_security_group"),
])
def test_reader_cannot_write(devcloud, method, path, body, rule):
    reader = Neutron(devcloud, "reader")
    reader.refused(method, path, body, 403, "PolicyNotAuthorized",
                   f"rule:{rule} is disallowed by policy")


def test_reader_sees_but_cannot_change_project_objects(devcloud):
    reader = Neutron(devcloud, "reader")
    net = reader.one("networks", name="private")
    reader.refused("PUT", f"/networks/{net['id']}", {"network": {"name": "x"}}, 403,
                   "PolicyNotAuthorized", "rule:update_network is disallowed by policy")
    reader.refused("DELETE", f"/networks/{net['id']}", None, 403, "PolicyNotAuthorized")


# --- admin views ---------------------------------------------------------------------------

def test_network_ip_availability_counts(neutron_admin, neutron_demo, lab):
    body = neutron_admin.ok("GET", f"/network-ip-availabilities/{lab['net']['id']}")
    usage = body["network_ip_availability"]
    (sub,) = usage["subnet_ip_availability"]
    assert (usage["total_ips"], usage["used_ips"]) == (253, 3)
    assert sub["ip_availability_details"] == {
        "total_ips_in_subnet": 254, "total_ips_in_allocation_pool": 253,
        "used_ips_in_subnet": 3, "used_ips_in_allocation_pool": 3}
    public = neutron_admin.one("networks", name="public")
    listed = neutron_admin.call("GET", "/network-ip-availabilities",
                                params={"network_id": public["id"]}).json()
    (pool,) = listed["network_ip_availabilities"]
    assert pool["total_ips"] == 101 and pool["used_ips"] >= 3  # three router gateways
    assert neutron_demo.ok("GET", "/network-ip-availabilities") == {"network_ip_availabilities": []}


def test_agents_and_extensions(neutron_admin):
    agents = neutron_admin.ok("GET", "/agents")["agents"]
    assert {a["agent_type"] for a in agents} == {"DHCP agent", "L3 agent", "Metadata agent",
                                                 "Open vSwitch agent"}
    assert all(a["alive"] and a["host"] == agents[0]["host"] for a in agents)
    aliases = {e["alias"] for e in neutron_admin.ok("GET", "/extensions")["extensions"]}
    assert {"router", "external-net", "provider", "quotas", "security-group", "pagination",
            "network-ip-availability", "fip-port-details"} <= aliases


def test_version_document_is_public(devcloud):
    body = requests.get(devcloud.base_url + "/networking/", timeout=10).json()
    assert body["versions"][0]["id"] == "v2.0"
    assert body["versions"][0]["links"][0]["href"].endswith("/networking/v2.0/")


def test_fault_injection_hits_only_the_matching_route(devcloud, neutron_demo):
    devcloud.admin_api("POST", "faults", {"service": "network", "method": "POST",
                                          "path": "routers$", "status": 500, "count": 1})
    try:
        resp = neutron_demo.call("POST", "/routers", {"router": {"name": "faulty"}})
        assert resp.status_code == 500
        assert resp.json()["NeutronError"]["message"] == "Injected fault"
        assert neutron_demo.call("GET", "/routers").status_code == 200
        router = neutron_demo.ok("POST", "/routers", {"router": {"name": "fine"}})["router"]
        neutron_demo.ok("DELETE", f"/routers/{router['id']}")
    finally:
        devcloud.admin_api("DELETE", "faults")
