"""Routers, floating IPs, security groups and quotas: the seed's `floating ip create public`
and `server add floating ip` path, and each of Neutron's refusals on it."""

import pytest

from .neutron import Neutron


@pytest.fixture(scope="module")
def public(neutron_admin):
    return neutron_admin.one("networks", name="public")


@pytest.fixture
def topo(neutron_demo):
    """A tenant network + subnet + an unbound port; removed afterwards with what hangs off it."""
    net = neutron_demo.network()
    sub = neutron_demo.subnet(net["id"], "10.90.0.0/24")
    port = neutron_demo.port(net["id"])
    made = {"net": net, "sub": sub, "port": port, "routers": [], "fips": []}
    yield made
    for fip in made["fips"]:
        neutron_demo.call("DELETE", f"/floatingips/{fip}")
    for router in made["routers"]:
        neutron_demo.call("PUT", f"/routers/{router}/remove_router_interface",
                          {"subnet_id": sub["id"]})
        neutron_demo.call("DELETE", f"/routers/{router}")
    neutron_demo.call("DELETE", f"/ports/{port['id']}")
    neutron_demo.call("DELETE", f"/networks/{net['id']}")


def _router(neutron_demo, topo, public, **attrs):
    body = {"name": "r", "external_gateway_info": {"network_id": public["id"]}, **attrs}
    router = neutron_demo.ok("POST", "/routers", {"router": body})["router"]
    topo["routers"].append(router["id"])
    return router


def _fip(neutron_demo, topo, public, **attrs):
    fip = neutron_demo.ok("POST", "/floatingips", {"floatingip": {
        "floating_network_id": public["id"], **attrs}})["floatingip"]
    topo["fips"].append(fip["id"])
    return fip


def test_router_gateway_interface_and_routes(neutron_demo, topo, public):
    router = _router(neutron_demo, topo, public)
    gw = router["external_gateway_info"]
    assert gw["network_id"] == public["id"] and gw["enable_snat"] is True
    assert gw["external_fixed_ips"][0]["subnet_id"] == public["subnets"][0]
    info = neutron_demo.ok("PUT", f"/routers/{router['id']}/add_router_interface",
                           {"subnet_id": topo["sub"]["id"]})
    assert (info["id"], info["subnet_id"], info["network_id"]) == (
        router["id"], topo["sub"]["id"], topo["net"]["id"])
    iface = neutron_demo.ok("GET", f"/ports/{info['port_id']}")["port"]
    assert iface["device_owner"] == "network:router_interface"
    assert iface["fixed_ips"][0]["ip_address"] == "10.90.0.1"
    neutron_demo.refused("PUT", f"/routers/{router['id']}/add_router_interface",
                         {"subnet_id": topo["sub"]["id"]}, 400, "BadRequest",
                         f"Bad router request: Router already has a port on subnet "
                         f"{topo['sub']['id']}.")
    neutron_demo.refused("PUT", f"/routers/{router['id']}/add_router_interface",
                         {"subnet_id": public["subnets"][0]}, 400, "BadRequest",
                         f"Bad router request: Cannot add interface to router because subnet "
                         f"{public['subnets'][0]} is not owned by project making the request.")
    routes = [{"destination": "10.99.0.0/24", "nexthop": "10.90.0.50"}]
    updated = neutron_demo.ok("PUT", f"/routers/{router['id']}", {"router": {"routes": routes}})
    assert updated["router"]["routes"] == routes
    bad = [{"destination": "10.99.0.0/24", "nexthop": "192.168.9.9"}]
    neutron_demo.refused("PUT", f"/routers/{router['id']}", {"router": {"routes": bad}}, 400,
                         "InvalidRoutes", f"Invalid format for routes: {bad}, the nexthop is not "
                                  f"connected with router")
    neutron_demo.refused("DELETE", f"/routers/{router['id']}", None, 409, "RouterInUse",
                         f"Router {router['id']} has ports still attached: {info['port_id']}")
    neutron_demo.ok("PUT", f"/routers/{router['id']}/remove_router_interface",
                    {"subnet_id": topo["sub"]["id"]})
    neutron_demo.refused("PUT", f"/routers/{router['id']}/remove_router_interface",
                         {"subnet_id": topo["sub"]["id"]}, 404, "RouterInterfaceNotFoundForSubnet",
                         f"Router {router['id']} has no interface on subnet {topo['sub']['id']}")


def test_router_interface_refuses_overlapping_subnets(neutron_demo, topo, public):
    router = _router(neutron_demo, topo, public)
    neutron_demo.ok("PUT", f"/routers/{router['id']}/add_router_interface",
                    {"subnet_id": topo["sub"]["id"]})
    other = neutron_demo.network()
    try:
        sub = neutron_demo.subnet(other["id"], "10.90.0.0/25")
        neutron_demo.refused("PUT", f"/routers/{router['id']}/add_router_interface",
                             {"subnet_id": sub["id"]}, 400, "BadRequest",
                             f"Bad router request: Cidr 10.90.0.0/25 of subnet {sub['id']} "
                             f"overlaps with cidr 10.90.0.0/24 of subnet {topo['sub']['id']}.")
    finally:
        neutron_demo.ok("DELETE", f"/networks/{other['id']}")


def test_floating_ip_needs_a_router_path(neutron_demo, topo, public):
    fip = _fip(neutron_demo, topo, public)
    assert fip["status"] == "DOWN" and fip["port_id"] is None and fip["port_details"] is None
    assert fip["floating_ip_address"].startswith("203.0.113.")
    port, sub = topo["port"], topo["sub"]
    neutron_demo.refused("PUT", f"/floatingips/{fip['id']}",
                         {"floatingip": {"port_id": port["id"]}},
                         404, "ExternalGatewayForFloatingIPNotFound",
                         f"External network {public['id']} is not reachable from subnet "
                         f"{sub['id']}.  Therefore, cannot associate Port {port['id']} with a "
                         f"Floating IP.")
    router = _router(neutron_demo, topo, public)
    neutron_demo.ok("PUT", f"/routers/{router['id']}/add_router_interface",
                    {"subnet_id": sub["id"]})
    done = neutron_demo.ok("PUT", f"/floatingips/{fip['id']}",
                           {"floatingip": {"port_id": port["id"]}})["floatingip"]
    assert (done["port_id"], done["router_id"], done["fixed_ip_address"]) == (
        port["id"], router["id"], port["fixed_ips"][0]["ip_address"])
    assert done["port_details"]["mac_address"] == port["mac_address"]
    second = _fip(neutron_demo, topo, public)
    neutron_demo.refused("PUT", f"/floatingips/{second['id']}",
                         {"floatingip": {"port_id": port["id"]}},
                         409, "FloatingIPPortAlreadyAssociated",
                         f"Cannot associate floating IP {second['floating_ip_address']} "
                         f"({second['id']}) with port {port['id']} using fixed IP "
                         f"{port['fixed_ips'][0]['ip_address']}, as that fixed IP already has a "
                         f"floating IP on external network {public['id']}.")
    neutron_demo.refused("PUT", f"/routers/{router['id']}/remove_router_interface",
                         {"subnet_id": sub["id"]}, 409, "RouterInterfaceInUseByFloatingIP")
    listed = neutron_demo.call("GET", "/floatingips", params={"port_id": port["id"]}).json()
    assert [f["id"] for f in listed["floatingips"]] == [fip["id"]]
    off = neutron_demo.ok("PUT", f"/floatingips/{fip['id']}",
                          {"floatingip": {"port_id": None}})["floatingip"]
    assert (off["port_id"], off["fixed_ip_address"], off["router_id"]) == (None, None, None)


def test_floating_ip_refusals(neutron_demo, public, topo):
    neutron_demo.refused("POST", "/floatingips", {"floatingip": {
        "floating_network_id": topo["net"]["id"]}}, 400, "BadRequest",
        f"Bad floatingip request: Network {topo['net']['id']} is not a valid external network.")
    neutron_demo.refused("POST", "/floatingips", {"floatingip": {
        "floating_network_id": public["id"], "floating_ip_address": "203.0.113.150"}}, 403,
        "PolicyNotAuthorized")


def test_floating_ip_pool_exhaustion_and_release(neutron_admin, neutron_demo):
    pool = neutron_admin.network(**{"router:external": True, "provider:network_type": "vlan",
                                    "provider:physical_network": "physnet1"})
    try:
        neutron_admin.subnet(pool["id"], "198.51.100.0/24", enable_dhcp=False,
                             allocation_pools=[{"start": "198.51.100.10", "end": "198.51.100.11"}])
        body = {"floatingip": {"floating_network_id": pool["id"]}}
        first = neutron_demo.ok("POST", "/floatingips", body)["floatingip"]
        second = neutron_demo.ok("POST", "/floatingips", body)["floatingip"]
        assert {first["floating_ip_address"], second["floating_ip_address"]} == {
            "198.51.100.10", "198.51.100.11"}
        neutron_demo.refused("POST", "/floatingips", body, 409, "IpAddressGenerationFailure",
                             f"No more IP addresses available on network {pool['id']}.")
        usage = neutron_admin.ok("GET", f"/network-ip-availabilities/{pool['id']}")[
            "network_ip_availability"]
        assert (usage["total_ips"], usage["used_ips"]) == (2, 2)
        neutron_demo.ok("DELETE", f"/floatingips/{first['id']}")
        again = neutron_demo.ok("POST", "/floatingips", body)["floatingip"]
        assert again["floating_ip_address"] == first["floating_ip_address"]
        for fip in (second, again):
            neutron_demo.ok("DELETE", f"/floatingips/{fip['id']}")
    finally:
        neutron_admin.ok("DELETE", f"/networks/{pool['id']}")


# --- security groups --------------------------------------------------------------------------

def test_security_group_and_rules(neutron_demo):
    group = neutron_demo.ok("POST", "/security-groups", {"security_group": {"name": "web"}})[
        "security_group"]
    try:
        assert {(r["direction"], r["ethertype"]) for r in group["security_group_rules"]} == {
            ("egress", "IPv4"), ("egress", "IPv6")}
        body = {"security_group_id": group["id"], "direction": "ingress", "protocol": "tcp",
                "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0"}
        rule = neutron_demo.ok("POST", "/security-group-rules", {"security_group_rule": body})[
            "security_group_rule"]
        assert rule["normalized_cidr"] == "0.0.0.0/0" and rule["ethertype"] == "IPv4"
        neutron_demo.refused("POST", "/security-group-rules", {"security_group_rule": body}, 409,
                             "SecurityGroupRuleExists",
                             f"Security group rule already exists. Rule id is {rule['id']}.")
        icmp = neutron_demo.ok("POST", "/security-group-rules", {"security_group_rule": {
            "security_group_id": group["id"], "direction": "ingress", "protocol": "icmp",
            "remote_group_id": group["id"]}})["security_group_rule"]
        assert icmp["remote_group_id"] == group["id"]
        neutron_demo.ok("DELETE", f"/security-group-rules/{rule['id']}")
    finally:
        neutron_demo.ok("DELETE", f"/security-groups/{group['id']}")


def test_bulk_rule_create_is_all_or_nothing(neutron_demo):
    group = neutron_demo.ok("POST", "/security-groups", {"security_group": {"name": "bulk"}})[
        "security_group"]
    try:
        def rule(port):
            return {"security_group_id": group["id"], "direction": "ingress",
                    "protocol": "tcp", "port_range_min": port, "port_range_max": port}

        made = neutron_demo.ok("POST", "/security-group-rules", {
            "security_group_rules": [rule(80), rule(443)]})["security_group_rules"]
        assert sorted(r["port_range_min"] for r in made) == [80, 443]
        # One bad rule refuses the whole batch: the good one before it is not kept.
        neutron_demo.refused("POST", "/security-group-rules",
                             {"security_group_rules": [rule(8080),
                                                       {**rule(1), "port_range_min": 0}]},
                             400, "SecurityGroupInvalidPortValue")
        ports = {r["port_range_min"] for r in neutron_demo.call(
            "GET", "/security-group-rules", params={"security_group_id": group["id"]}).json()[
            "security_group_rules"]}
        assert 8080 not in ports and {80, 443} <= ports
    finally:
        neutron_demo.ok("DELETE", f"/security-groups/{group['id']}")


@pytest.mark.parametrize("attrs,kind,message", [
    ({"protocol": "tcp", "port_range_min": 30, "port_range_max": 22},
     "SecurityGroupInvalidPortRange",
     "For TCP/UDP protocols, port_range_min must be <= port_range_max"),
    ({"port_range_min": 22, "port_range_max": 22}, "SecurityGroupProtocolRequiredWithPorts",
     "Must also specify protocol if port range is given."),
    ({"protocol": "tcp", "port_range_min": 0, "port_range_max": 22},
     "SecurityGroupInvalidPortValue", "Invalid value for port 0"),
    ({"protocol": "tcp", "remote_ip_prefix": "0.0.0.0/0", "remote_group_id": "SELF"},
     "SecurityGroupMultipleRemoteEntites",
     "Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be "
     "provided."),
    ({"protocol": "tcp", "direction": "sideways"}, "HTTPBadRequest",
     "Invalid input for direction. Reason: sideways is not in valid_values."),
    ({"protocol": "tcp", "remote_ip_prefix": "::/0"}, "SecurityGroupRuleParameterConflict",
     "Conflicting value ethertype IPv4 for CIDR ::/0"),
    ({"protocol": "icmp", "port_range_min": 300}, "SecurityGroupInvalidIcmpValue",
     "Invalid value for ICMP type (port_range_min) 300. It must be 0 to 255."),
    ({"protocol": "bogus"}, "SecurityGroupRuleInvalidProtocol", None),
])
def test_rule_refusals(neutron_demo, attrs, kind, message):
    default = neutron_demo.one("security-groups", name="default")
    body = {"security_group_id": default["id"], "direction": "ingress", **attrs}
    if body.get("remote_group_id") == "SELF":
        body["remote_group_id"] = default["id"]
    neutron_demo.refused("POST", "/security-group-rules", {"security_group_rule": body}, 400, kind,
                         message)


def test_default_group_cannot_be_deleted(neutron_demo):
    default = neutron_demo.one("security-groups", name="default")
    neutron_demo.refused("DELETE", f"/security-groups/{default['id']}", None, 409,
                         "SecurityGroupInUse",
                         f"Security Group {default['id']} in use.")


# --- quotas -------------------------------------------------------------------------------------

def test_quota_defaults_details_and_enforcement(neutron_admin, devcloud):
    bob = Neutron(devcloud, "bob")
    project = bob.one("networks", name="private")["project_id"]
    assert neutron_admin.ok("GET", f"/quotas/{project}")["quota"] == {
        "network": 100, "subnet": 100, "subnetpool": -1, "port": 500, "router_route": 30,
        "router": 10, "floatingip": 50, "rbac_policy": 10, "security_group": 10,
        "security_group_rule": 100}
    details = bob.ok("GET", f"/quotas/{project}/details")["quota"]
    assert details["network"] == {"limit": 100, "used": 1, "reserved": 0}
    assert details["router"]["used"] == 1
    neutron_admin.refused("PUT", f"/quotas/{project}", {"quota": {"network": 0}}, 400,
                          "HTTPBadRequest",
                          "Quota limit 0 for network must be greater than or equal to "
                          "already used 1")
    neutron_admin.refused("PUT", f"/quotas/{project}", {"quota": {"network": -5}}, 400,
                          "HTTPBadRequest",
                          "Invalid input for network. Reason: '-5' is too small - must be "
                          "at least '-1'.")
    bob.refused("PUT", f"/quotas/{project}", {"quota": {"network": 5}}, 403,
                "PolicyNotAuthorized", "rule:update_quota is disallowed by policy")
    try:
        assert neutron_admin.ok("PUT", f"/quotas/{project}", {
            "quota": {"network": 1, "floatingip": 0}})["quota"]["network"] == 1
        listed = neutron_admin.ok("GET", "/quotas")["quotas"]
        assert any(q["project_id"] == project and q["network"] == 1 for q in listed)
        bob.refused("POST", "/networks", {"network": {"name": "over"}}, 409, "OverQuota",
                    "Quota exceeded for resources: ['network'].")
        public = neutron_admin.one("networks", name="public")
        bob.refused("POST", "/floatingips", {"floatingip": {"floating_network_id": public["id"]}},
                    409, "OverQuota", "Quota exceeded for resources: ['floatingip'].")
    finally:
        neutron_admin.ok("DELETE", f"/quotas/{project}")
    assert neutron_admin.ok("GET", f"/quotas/{project}")["quota"]["network"] == 100
