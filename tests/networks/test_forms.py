"""The subnet, pool, rule and pool-range forms catch what Neutron would refuse (or
silently accept wrongly) before any call, with the message under the field."""

import pytest

from networks.forms import PoolForm, RangeForm, RuleForm, SubnetForm


def subnet(others=(), **data):
    base = {"name": "s", "cidr": "10.0.0.0/24", "gateway_mode": "auto", "enable_dhcp": "on"}
    form = SubnetForm({**base, **data}, other_subnets=others)
    form.is_valid()
    return form


@pytest.mark.parametrize("data,field,words", [
    ({"cidr": "10.0.0.300/24"}, "cidr", "is not a network address"),
    ({"cidr": "banana"}, "cidr", "is not a network address"),
    ({"cidr": "10.0.0.1/24"}, "cidr", "Did you mean 10.0.0.0/24?"),
    ({"cidr": "fd00::1/64"}, "cidr", "Did you mean fd00::/64?"),
    ({"gateway_mode": "explicit", "gateway_ip": "10.0.1.1"}, "gateway_ip",
     "is not inside 10.0.0.0/24"),
    ({"gateway_mode": "explicit", "gateway_ip": ""}, "gateway_ip", "Type the gateway"),
    ({"gateway_mode": "explicit", "gateway_ip": "10.0.0.20",
      "allocation_pools": "10.0.0.10-10.0.0.50"}, "gateway_ip", "inside the allocation pool"),
    ({"allocation_pools": "10.0.1.10-10.0.1.20"}, "allocation_pools", "is not inside"),
    ({"allocation_pools": "10.0.0.10-10.0.0.50\n10.0.0.40-10.0.0.60"}, "allocation_pools",
     "overlap"),
    ({"allocation_pools": "10.0.0.50-10.0.0.10"}, "allocation_pools", "after the end"),
    ({"allocation_pools": "10.0.0.1-10.0.0.50"}, "allocation_pools",
     "gateway 10.0.0.1 is inside"),
    ({"dns_nameservers": "8.8.8.8\nnot-an-ip"}, "dns_nameservers", "is not an IP"),
])
def test_subnet_form_refuses(data, field, words):
    form = subnet(**data)
    assert not form.is_valid()
    assert words in " ".join(form.errors[field])


def test_subnet_overlapping_another_subnet_of_the_network():
    form = subnet(others=[("web", "10.0.0.128/25")])
    assert "overlaps the subnet “web” (10.0.0.128/25)" in form.errors["cidr"][0]
    assert subnet(others=[("v6", "fd00::/64"), ("other", "10.0.1.0/24")]).is_valid()


def test_subnet_body_ipv4_explicit_gateway_pools_dns():
    form = subnet(gateway_mode="explicit", gateway_ip="10.0.0.254",
                  allocation_pools="10.0.0.10-10.0.0.20\n10.0.0.30,10.0.0.40",
                  dns_nameservers="1.1.1.1, 9.9.9.9")
    assert form.is_valid(), form.errors
    assert form.neutron_body() == {
        "name": "s", "enable_dhcp": True, "dns_nameservers": ["1.1.1.1", "9.9.9.9"],
        "allocation_pools": [{"start": "10.0.0.10", "end": "10.0.0.20"},
                             {"start": "10.0.0.30", "end": "10.0.0.40"}],
        "gateway_ip": "10.0.0.254", "cidr": "10.0.0.0/24", "ip_version": 4}


def test_subnet_body_ipv6_no_gateway():
    form = subnet(cidr="fd00:1::/64", gateway_mode="none", enable_dhcp="",
                  allocation_pools="fd00:1::10-fd00:1::ff")
    assert form.is_valid(), form.errors
    body = form.neutron_body()
    assert body["gateway_ip"] is None and body["ip_version"] == 6
    assert body["ipv6_address_mode"] == "slaac" and body["enable_dhcp"] is False


def test_edit_keeps_cidr_and_skips_overlap():
    form = SubnetForm({"name": "x", "gateway_mode": "none", "enable_dhcp": "on"},
                      fixed_cidr="10.0.0.0/24", other_subnets=[("a", "10.0.0.0/24")])
    assert form.is_valid(), form.errors
    assert "cidr" not in form.neutron_body()


RANGE = {"cidr": "198.51.100.0/24", "start": "198.51.100.10", "end": "198.51.100.100"}


@pytest.mark.parametrize("data,field,words", [
    ({"network_type": "vlan"}, "vlan_id", "needs a VLAN id"),
    ({"network_type": "vlan", "vlan_id": "0"}, "vlan_id", "between 1 and 4094"),
    ({"network_type": "vlan", "vlan_id": "4095"}, "vlan_id", "between 1 and 4094"),
    ({"network_type": "flat", "vlan_id": "10"}, "vlan_id", "A flat pool has no VLAN id"),
    ({"network_type": "flat", "physnet": "physnet9"}, "physnet", "Select a valid choice"),
    ({"network_type": "flat", "cidr": ""}, "cidr", "required"),
    ({"network_type": "flat", "end": "198.51.101.5"}, "end", "not inside the subnet"),
])
def test_pool_form_refuses(data, field, words):
    form = PoolForm({"name": "p", "physnet": "physnet1", **RANGE, **data})
    assert not form.is_valid()
    assert words in " ".join(form.errors[field])


def test_pool_form_takes_its_first_range():
    form = PoolForm({"name": "p", "physnet": "physnet1", "network_type": "vlan",
                     "vlan_id": "4094", **RANGE, "gateway_ip": "198.51.100.254"})
    assert form.is_valid(), form.errors
    first = form.first_range()
    assert (str(first["cidr"]), first["pools"], str(first["gateway"])) == (
        "198.51.100.0/24", [{"start": "198.51.100.10", "end": "198.51.100.100"}],
        "198.51.100.254")
    assert list(form.fields)[:5] == ["name", "network_type", "physnet", "vlan_id", "shared"]


@pytest.mark.parametrize("data,errors", [
    # Outside the subnet: said so, under the address that is, whatever the order.
    ({"start": "198.51.100.200", "end": "198.51.101.5"},
     {"end": "198.51.101.5 is not inside the subnet 198.51.100.0/24."}),
    ({"start": "198.51.100.50", "end": "198.51.10.60"},
     {"end": "198.51.10.60 is not inside the subnet 198.51.100.0/24."}),
    ({"start": "10.0.0.1", "end": "198.51.100.60"},
     {"start": "10.0.0.1 is not inside the subnet 198.51.100.0/24."}),
    # Reversed.
    ({"start": "198.51.100.50", "end": "198.51.100.10"},
     {"end": "The last address 198.51.100.10 comes before the first 198.51.100.50: "
             "swap them."}),
    # The gateway inside the range: automatic (the first address) or given.
    ({"start": "198.51.100.1", "end": "198.51.100.10"},
     {"start": "The range 198.51.100.1-198.51.100.10 holds 198.51.100.1, the subnet's "
               "first address, which becomes the upstream gateway when none is given: "
               "start the range after 198.51.100.1, or give the gateway's address."}),
    ({"gateway_ip": "198.51.100.20"},
     {"gateway_ip": "The gateway 198.51.100.20 is inside the range "
                    "198.51.100.10-198.51.100.100: a floating IP would be handed the "
                    "gateway's address. Move the range or the gateway."}),
    ({"gateway_ip": "198.51.101.1"},
     {"gateway_ip": "The gateway 198.51.101.1 is not inside 198.51.100.0/24."}),
    ({"end": "198.51.100.255"},
     {"end": "The pool 198.51.100.10-198.51.100.255 includes the network or broadcast "
             "address of 198.51.100.0/24."}),
    ({"cidr": "198.51.101.0/23"}, {"cidr": "“198.51.101.0/23” has host bits set. Did you "
                                           "mean 198.51.100.0/23?"}),
])
def test_range_form_says_what_is_wrong(data, errors):
    form = RangeForm({**RANGE, **data})
    assert not form.is_valid()
    assert {f: " ".join(e) for f, e in form.errors.items()} == errors


def test_range_form_refuses_a_subnet_overlapping_an_existing_range():
    form = RangeForm({"cidr": "198.51.100.128/25", "start": "198.51.100.130",
                      "end": "198.51.100.140"},
                     other_subnets=[("public-198.51.100.0/24", "198.51.100.0/24")])
    assert not form.is_valid()
    assert form.errors["cidr"] == [
        "198.51.100.128/25 overlaps the pool's existing range 198.51.100.0/24 "
        "(“public-198.51.100.0/24”): choose a subnet outside it."]
    assert set(form.errors) == {"cidr"}


def rule(**data):
    form = RuleForm({"preset": "custom", "direction": "ingress", "remote_cidr": "0.0.0.0/0",
                     **data}, groups=[{"id": "g1", "name": "web"}])
    form.is_valid()
    return form


def test_rule_presets_and_custom():
    web = RuleForm({"preset": "web", "direction": "ingress", "remote_cidr": "0.0.0.0/0"})
    assert web.is_valid()
    assert [(r["protocol"], r["port_range_min"]) for r in web.rules()] == [("tcp", 80),
                                                                           ("tcp", 443)]
    ssh6 = RuleForm({"preset": "ssh", "direction": "ingress", "remote_cidr": "::/0"})
    assert ssh6.is_valid() and ssh6.rules()[0]["ethertype"] == "IPv6"
    grp = rule(protocol="udp", port_min="53", port_max="53", remote_cidr="", remote_group="g1")
    assert grp.is_valid()
    assert grp.rules() == [{"direction": "ingress", "ethertype": "IPv4", "protocol": "udp",
                            "remote_group_id": "g1", "port_range_min": 53,
                            "port_range_max": 53}]


@pytest.mark.parametrize("data,field,words", [
    ({"protocol": "tcp", "port_min": "100", "port_max": "20"}, "port_max", "lower than"),
    ({"protocol": "tcp", "port_min": "100"}, "port_max", "Give both ports"),
    ({"protocol": "icmp", "port_min": "1", "port_max": "1"}, "port_min", "TCP and UDP only"),
    ({"protocol": "tcp", "port_min": "0", "port_max": "5"}, "port_min", "greater than"),
    ({"protocol": "tcp", "remote_cidr": "10.0.0.1/8"}, "remote_cidr", "Did you mean"),
    ({"protocol": "tcp", "remote_group": "g1"}, "remote_group", "not both"),
])
def test_rule_form_refuses(data, field, words):
    form = rule(**data)
    assert not form.is_valid()
    assert words in " ".join(form.errors[field])


@pytest.mark.parametrize("used,proposed", [
    ([], "10.0.0.0/24"),
    (["10.0.0.0/24"], "10.0.1.0/24"),
    (["10.0.0.0/24", "10.0.1.0/24", "fd00::/64"], "10.0.2.0/24"),
    (["10.0.0.0/16", "10.1.0.128/25"], "10.1.1.0/24"),
    (["10.0.0.0/8"], "172.16.0.0/24"),
    (["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], None),
])
def test_free_cidr_overlaps_none_of_the_projects_subnets(used, proposed):
    from networks.addressing import free_cidr

    got = free_cidr(used)
    assert (str(got) if got else None) == proposed
