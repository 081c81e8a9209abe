"""Neutron networks, subnets and ports as devcloud serves them: seed, CRUD, Neutron's own
validation refusals (status, type and wording copied from a real Neutron), address
allocation from the pools."""

import ipaddress

import openstack
import pytest

from .neutron import Neutron


@pytest.fixture
def net(neutron_demo):
    network = neutron_demo.network()
    yield network
    ports = neutron_demo.call("GET", "/ports", params={"network_id": network["id"]})
    for port in ports.json()["ports"]:
        if not port["device_owner"].startswith("network:"):
            neutron_demo.call("DELETE", f"/ports/{port['id']}")
    neutron_demo.call("DELETE", f"/networks/{network['id']}")


# --- seed ------------------------------------------------------------------------------

def test_seed_has_public_and_a_private_topology_per_demo_project(neutron_admin, neutron_demo):
    public = neutron_admin.one("networks", name="public")
    assert public["router:external"] is True and public["shared"] is False
    assert (public["provider:network_type"], public["provider:physical_network"],
            public["provider:segmentation_id"]) == ("flat", "physnet1", None)
    sub = neutron_admin.one("subnets", name="public-subnet")
    assert (sub["cidr"], sub["gateway_ip"], sub["allocation_pools"]) == (
        "203.0.113.0/24", "203.0.113.1", [{"start": "203.0.113.100", "end": "203.0.113.200"}])
    assert sub["router:external"] is True

    private = neutron_demo.one("networks", name="private")
    psub = neutron_demo.one("subnets", name="private-subnet")
    assert (psub["cidr"], psub["gateway_ip"], psub["enable_dhcp"]) == (
        "10.0.0.0/24", "10.0.0.1", True)
    assert private["subnets"] == [psub["id"]]
    router = neutron_demo.one("routers", name="router1")
    assert router["external_gateway_info"]["network_id"] == public["id"]
    (gw_ip,) = router["external_gateway_info"]["external_fixed_ips"]
    assert ipaddress.ip_address(gw_ip["ip_address"]) in ipaddress.ip_network("203.0.113.0/24")
    owners = {p["device_owner"]: p for p in neutron_demo.call(
        "GET", "/ports", params={"network_id": private["id"]}).json()["ports"]}
    assert owners["network:router_interface"]["fixed_ips"][0]["ip_address"] == "10.0.0.1"
    assert owners["network:router_interface"]["device_id"] == router["id"]
    assert owners["network:dhcp"]["fixed_ips"][0]["ip_address"] == "10.0.0.2"
    (default,) = neutron_demo.call("GET", "/security-groups").json()["security_groups"]
    assert default["name"] == "default"
    rules = {(r["direction"], r["ethertype"], r["remote_group_id"])
             for r in default["security_group_rules"]}
    assert rules == {("egress", "IPv4", None), ("egress", "IPv6", None),
                     ("ingress", "IPv4", default["id"]), ("ingress", "IPv6", default["id"])}


def test_each_demo_project_has_its_own_private_network(devcloud):
    ids = {Neutron(devcloud, u).one("networks", name="private")["id"]
           for u in ("demo", "alice", "bob")}
    assert len(ids) == 3


# --- networks ----------------------------------------------------------------------------

def test_network_fields_and_admin_only_provider_attributes(neutron_demo, neutron_admin):
    network = neutron_demo.network(description="x")
    try:
        assert network["status"] == "ACTIVE" and network["subnets"] == []
        assert network["tenant_id"] == network["project_id"]
        assert network["mtu"] == 1450 and network["port_security_enabled"] is True
        assert "provider:network_type" not in network
        seen = neutron_admin.ok("GET", f"/networks/{network['id']}")["network"]
        assert seen["provider:network_type"] == "vxlan"
        assert 1 <= seen["provider:segmentation_id"] <= 1000
        renamed = neutron_demo.ok("PUT", f"/networks/{network['id']}",
                                  {"network": {"name": "renamed"}})["network"]
        assert renamed["name"] == "renamed"
        assert renamed["revision_number"] > network["revision_number"]
    finally:
        neutron_demo.ok("DELETE", f"/networks/{network['id']}")
    neutron_demo.refused("GET", f"/networks/{network['id']}", None, 404, "NetworkNotFound",
                         f"Network {network['id']} could not be found.")


@pytest.mark.parametrize("attrs,message", [
    ({"provider:network_type": "flat"},
     "Invalid input for operation: physical_network required for flat provider network."),
    ({"provider:network_type": "flat", "provider:physical_network": "nosuch"},
     "Invalid input for operation: physical_network 'nosuch' unknown for flat provider "
     "network."),
    ({"provider:network_type": "flat", "provider:physical_network": "physnet1",
      "provider:segmentation_id": 5},
     "Invalid input for operation: segmentation_id prohibited for flat provider network."),
    ({"provider:network_type": "vlan", "provider:physical_network": "physnet1",
      "provider:segmentation_id": 4095},
     "Invalid input for operation: segmentation_id out of range (1 through 4094)."),
    ({"provider:network_type": "vlan", "provider:segmentation_id": 100},
     "Invalid input for operation: segmentation_id requires physical_network for VLAN "
     "provider network."),
    ({"provider:network_type": "bogus"},
     "Invalid input for operation: network_type value 'bogus' not supported."),
])
def test_provider_network_refusals(neutron_admin, attrs, message):
    neutron_admin.refused("POST", "/networks", {"network": {"name": "p", **attrs}}, 400,
                          "InvalidInput", message)


def test_vlan_provider_network_and_vlan_in_use(neutron_admin):
    attrs = {"provider:network_type": "vlan", "provider:physical_network": "physnet1",
             "provider:segmentation_id": 2001, "router:external": True}
    network = neutron_admin.network(**attrs)
    try:
        assert network["provider:segmentation_id"] == 2001
        neutron_admin.refused("POST", "/networks", {"network": attrs}, 409, "VlanIdInUse",
                              "Unable to create the network. The VLAN 2001 on physical network "
                              "physnet1 is in use.")
    finally:
        neutron_admin.ok("DELETE", f"/networks/{network['id']}")


def test_flat_physnet_already_used_by_public(neutron_admin):
    neutron_admin.refused("POST", "/networks", {"network": {
        "provider:network_type": "flat", "provider:physical_network": "physnet1"}},
        409, "FlatNetworkInUse",
        "Unable to create the flat network. Physical network physnet1 is in use.")


@pytest.mark.parametrize("attr", ["provider:network_type", "router:external"])
def test_tenant_cannot_set_admin_attributes(neutron_demo, attr):
    value = "vlan" if attr.startswith("provider") else True
    neutron_demo.refused("POST", "/networks", {"network": {"name": "x", attr: value}}, 403,
                         "PolicyNotAuthorized",
                         f"(rule:create_network and rule:create_network:{attr}) is disallowed by "
                         f"policy")


def test_unknown_attribute_is_400(neutron_demo):
    neutron_demo.refused("POST", "/networks", {"network": {"name": "x", "bogus": 1}}, 400,
                         "HTTPBadRequest", "Unrecognized attribute(s) 'bogus'")


def test_network_in_use_names_the_ports(neutron_demo, net):
    neutron_demo.subnet(net["id"], "10.50.0.0/24")
    port = neutron_demo.port(net["id"])
    neutron_demo.refused("DELETE", f"/networks/{net['id']}", None, 409, "NetworkInUse",
                         f"Unable to complete operation on network {net['id']}. There are one "
                         f"or more ports still in use on the network, id for these ports is: "
                         f"{port['id']}.")


# --- subnets --------------------------------------------------------------------------------

def test_subnet_defaults_v4_and_v6(neutron_demo, net):
    v4 = neutron_demo.subnet(net["id"], "10.60.0.0/24")
    assert (v4["gateway_ip"], v4["allocation_pools"], v4["enable_dhcp"]) == (
        "10.60.0.1", [{"start": "10.60.0.2", "end": "10.60.0.254"}], True)
    v6 = neutron_demo.subnet(net["id"], "fd00:1::/64")
    assert v6["gateway_ip"] == "fd00:1::"
    assert v6["allocation_pools"] == [{"start": "fd00:1::1",
                                       "end": "fd00:1::ffff:ffff:ffff:ffff"}]
    no_gw = neutron_demo.subnet(net["id"], "10.61.0.0/28", gateway_ip=None)
    assert no_gw["gateway_ip"] is None
    assert no_gw["allocation_pools"] == [{"start": "10.61.0.1", "end": "10.61.0.14"}]
    host_bits = neutron_demo.subnet(net["id"], "10.62.0.1/24")
    assert host_bits["cidr"] == "10.62.0.0/24"  # Neutron accepts and normalises
    shown = neutron_demo.ok("GET", f"/networks/{net['id']}")["network"]
    assert set(shown["subnets"]) == {v4["id"], v6["id"], no_gw["id"], host_bits["id"]}


def test_subnet_explicit_pools_dns_routes_and_update(neutron_demo, net):
    sub = neutron_demo.subnet(net["id"], "10.63.0.0/24", gateway_ip="10.63.0.254",
                              allocation_pools=[{"start": "10.63.0.10", "end": "10.63.0.20"},
                                                {"start": "10.63.0.30", "end": "10.63.0.40"}],
                              dns_nameservers=["9.9.9.9"], enable_dhcp=False,
                              host_routes=[{"destination": "192.168.0.0/24",
                                            "nexthop": "10.63.0.5"}])
    assert sub["dns_nameservers"] == ["9.9.9.9"] and sub["enable_dhcp"] is False
    assert sub["host_routes"] == [{"destination": "192.168.0.0/24", "nexthop": "10.63.0.5"}]
    updated = neutron_demo.ok("PUT", f"/subnets/{sub['id']}", {"subnet": {
        "name": "edited", "dns_nameservers": ["1.1.1.1", "8.8.8.8"]}})["subnet"]
    assert updated["name"] == "edited" and updated["dns_nameservers"] == ["1.1.1.1", "8.8.8.8"]
    neutron_demo.refused("PUT", f"/subnets/{sub['id']}", {"subnet": {"gateway_ip": "10.63.0.15"}},
                         409, "GatewayConflictWithAllocationPools",
                         "Gateway ip 10.63.0.15 conflicts with allocation pool "
                         "10.63.0.10-10.63.0.20.")


@pytest.mark.parametrize("attrs,status,kind,message", [
    ({"cidr": "10.0.0.0/33"}, 400, "InvalidInput",
     "Invalid input for operation: 10.0.0.0/33 is not in a CIDR format."),
    ({"cidr": "foo"}, 400, "InvalidInput",
     "Invalid input for operation: foo is not in a CIDR format."),
    ({"cidr": "fd00::/64"}, 400, "InvalidInput",
     "Invalid input for operation: cidr 'fd00::/64' does not match the ip_version '4'."),
    ({"cidr": "10.20.0.0/24", "gateway_ip": "10.20.0.5",
      "allocation_pools": [{"start": "10.20.0.2", "end": "10.20.0.100"}]},
     409, "GatewayConflictWithAllocationPools",
     "Gateway ip 10.20.0.5 conflicts with allocation pool 10.20.0.2-10.20.0.100."),
    ({"cidr": "10.20.0.0/24", "allocation_pools": [{"start": "10.21.0.2", "end": "10.21.0.100"}]},
     400, "OutOfBoundsAllocationPool",
     "The allocation pool 10.21.0.2-10.21.0.100 spans beyond the subnet cidr 10.20.0.0/24."),
    ({"cidr": "10.20.0.0/24", "allocation_pools": [
        {"start": "10.20.0.2", "end": "10.20.0.100"},
        {"start": "10.20.0.50", "end": "10.20.0.150"}]},
     409, "OverlappingAllocationPools",
     "Found overlapping allocation pools: 10.20.0.2-10.20.0.100 10.20.0.50-10.20.0.150 for "
     "subnet 10.20.0.0/24."),
    ({"cidr": "10.20.0.0/24", "allocation_pools": [{"start": "10.20.0.100", "end": "10.20.0.2"}]},
     400, "InvalidAllocationPool",
     "The allocation pool {'start': '10.20.0.100', 'end': '10.20.0.2'} is not valid."),
    ({"cidr": "10.20.0.0/24", "dns_nameservers": ["x.y"]}, 400, "HTTPBadRequest",
     "Invalid input for dns_nameservers. Reason: 'x.y' is not a valid nameserver. 'x.y' is not "
     "a valid IP address."),
])
def test_subnet_refusals(neutron_demo, net, attrs, status, kind, message):
    body = {"subnet": {"network_id": net["id"], "ip_version": 4, **attrs}}
    neutron_demo.refused("POST", "/subnets", body, status, kind, message)
    assert neutron_demo.ok("GET", f"/networks/{net['id']}")["network"]["subnets"] == []


def test_overlapping_subnet_on_same_network(neutron_demo, net):
    neutron_demo.subnet(net["id"], "10.30.0.0/30")
    neutron_demo.refused("POST", "/subnets", {"subnet": {
        "network_id": net["id"], "ip_version": 4, "cidr": "10.30.0.0/24"}}, 400, "InvalidInput",
        f"Invalid input for operation: Requested subnet with cidr: 10.30.0.0/24 for network: "
        f"{net['id']} overlaps with another subnet.")


def test_subnet_in_use(neutron_demo, net):
    sub = neutron_demo.subnet(net["id"], "10.31.0.0/24", enable_dhcp=False)
    port = neutron_demo.port(net["id"])
    neutron_demo.refused("DELETE", f"/subnets/{sub['id']}", None, 409, "SubnetInUse",
                         f"Unable to complete operation on subnet {sub['id']}: One or more "
                         f"ports have an IP allocation from this subnet.")
    neutron_demo.ok("DELETE", f"/ports/{port['id']}")
    neutron_demo.ok("DELETE", f"/subnets/{sub['id']}")


# --- ports and address allocation ----------------------------------------------------------

def test_port_mac_and_ip_from_pool_and_reuse_after_delete(neutron_demo, net):
    sub = neutron_demo.subnet(net["id"], "10.40.0.0/24", enable_dhcp=False,
                              allocation_pools=[{"start": "10.40.0.50", "end": "10.40.0.60"}])
    first = neutron_demo.port(net["id"], name="a")
    assert first["mac_address"].startswith("fa:16:3e:")
    assert first["fixed_ips"] == [{"subnet_id": sub["id"], "ip_address": "10.40.0.50"}]
    assert first["status"] == "DOWN" and first["device_owner"] == ""
    assert len(first["security_groups"]) == 1
    second = neutron_demo.port(net["id"])
    assert second["fixed_ips"][0]["ip_address"] == "10.40.0.51"
    assert second["mac_address"] != first["mac_address"]
    neutron_demo.ok("DELETE", f"/ports/{first['id']}")
    again = neutron_demo.port(net["id"])
    assert again["fixed_ips"][0]["ip_address"] == "10.40.0.50"
    chosen = neutron_demo.port(net["id"], fixed_ips=[{"ip_address": "10.40.0.200"}])
    assert chosen["fixed_ips"] == [{"subnet_id": sub["id"], "ip_address": "10.40.0.200"}]
    neutron_demo.refused("POST", "/ports", {"port": {"network_id": net["id"], "fixed_ips": [
        {"ip_address": "10.40.0.200"}]}}, 409, "IpAddressAlreadyAllocated",
        f"IP address 10.40.0.200 already allocated in subnet {sub['id']}")


def test_dhcp_port_takes_first_address_of_a_dhcp_subnet(neutron_demo, net):
    sub = neutron_demo.subnet(net["id"], "10.41.0.0/24")
    dhcp = [p for p in neutron_demo.call("GET", "/ports", params={"network_id": net["id"]}).json()[
        "ports"] if p["device_owner"] == "network:dhcp"]
    assert [p["fixed_ips"] for p in dhcp] == [[{"subnet_id": sub["id"],
                                                "ip_address": "10.41.0.2"}]]
    assert neutron_demo.port(net["id"])["fixed_ips"][0]["ip_address"] == "10.41.0.3"


def test_pool_exhaustion(neutron_demo, net):
    neutron_demo.subnet(net["id"], "10.30.0.0/30", enable_dhcp=False)  # one usable address
    neutron_demo.port(net["id"])
    neutron_demo.refused("POST", "/ports", {"port": {"network_id": net["id"]}}, 409,
                         "IpAddressGenerationFailure",
                         f"No more IP addresses available on network {net['id']}.")


@pytest.mark.parametrize("attrs,message", [
    ({"network_id": "nope"}, "Invalid input for network_id. Reason: 'nope' is not a valid UUID."),
    ({"mac_address": "zz"}, "Invalid input for mac_address. Reason: 'zz' is not a valid MAC "
                            "address."),
])
def test_port_refusals(neutron_demo, net, attrs, message):
    neutron_demo.refused("POST", "/ports", {"port": {"network_id": net["id"], **attrs}}, 400,
                         "HTTPBadRequest", message)


def test_port_update_and_mac_in_use(neutron_demo, net):
    neutron_demo.subnet(net["id"], "10.42.0.0/24")
    port = neutron_demo.port(net["id"])
    updated = neutron_demo.ok("PUT", f"/ports/{port['id']}", {"port": {
        "name": "renamed", "device_id": "dev-1", "device_owner": "compute:nova"}})["port"]
    assert (updated["name"], updated["device_id"]) == ("renamed", "dev-1")
    neutron_demo.refused("POST", "/ports", {"port": {"network_id": net["id"],
                                                     "mac_address": port["mac_address"]}},
                         409, "MacAddressInUse",
                         f"Unable to complete operation for network {net['id']}. The mac address "
                         f"{port['mac_address']} is in use.")


def test_binding_details_are_admin_only(neutron_demo, neutron_admin, net):
    neutron_demo.subnet(net["id"], "10.43.0.0/24")
    port = neutron_demo.port(net["id"])
    assert "binding:host_id" not in port and port["binding:vnic_type"] == "normal"
    seen = neutron_admin.ok("GET", f"/ports/{port['id']}")["port"]
    assert seen["binding:host_id"] == "" and seen["binding:vif_type"] == "unbound"


def test_sdk_creates_network_subnet_port(clouds_env):
    conn = openstack.connect(cloud="devcloud-alice")
    network = conn.network.create_network(name="sdk-net")
    try:
        subnet = conn.network.create_subnet(network_id=network.id, ip_version=4,
                                            cidr="192.168.77.0/24", name="sdk-sub")
        port = conn.network.create_port(network_id=network.id)
        assert port.fixed_ips[0]["subnet_id"] == subnet.id
        assert conn.network.find_network("sdk-net").id == network.id
        assert [p.id for p in conn.network.ports(device_owner="")] == [port.id]
        conn.network.delete_port(port)
    finally:
        conn.network.delete_network(network)
