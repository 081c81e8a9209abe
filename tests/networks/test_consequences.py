"""The confirmations' sentences in the cases the pages on a test cloud rarely show: an
empty network, many subnets, the default group, rules by protocol and remote group, a
pool in use by one address. (test_confirmations.py reads them off the real pages.)"""

from networks import consequences


def test_an_empty_network_is_just_deleted():
    assert consequences.network_delete({"id": "n1", "name": "lab"}, [], [
        {"device_owner": "network:dhcp", "server_name": None, "router_port": False,
         "fixed_ips": [{"ip_address": "10.0.0.2", "subnet_id": "s1"}]}]) == \
        "The network “lab” is deleted."


def test_many_subnets_and_holders_are_counted_past_three():
    subnets = [{"cidr": f"10.{i}.0.0/24"} for i in range(5)]
    ports = [{"server_name": f"vm{i}", "device_id": f"d{i}", "router_port": False,
              "fixed_ips": [{"ip_address": f"10.{i}.0.5", "subnet_id": f"s{i}"}]}
             for i in range(4)]
    text = consequences.network_delete({"id": "n1", "name": ""}, subnets, ports)
    assert text.startswith("The network “n1” and its 5 subnets (10.0.0.0/24, 10.1.0.0/24, "
                           "10.2.0.0/24 and 2 more) are deleted")
    assert "server “vm0” (10.0.0.5), server “vm1” (10.1.0.5), server “vm2” (10.2.0.5) " \
           "and 1 more. Delete or detach them first." in text


def test_a_subnet_counts_only_the_addresses_on_it():
    ports = [{"server_name": "web", "device_id": "d1", "router_port": False,
              "fixed_ips": [{"ip_address": "10.0.1.5", "subnet_id": "other"}]}]
    assert consequences.subnet_delete(
        {"id": "s1", "name": "", "cidr": "10.0.0.0/24", "gateway_ip": None}, ports) == (
        "The subnet 10.0.0.0/24 is deleted with its settings (gateway none, DHCP, DNS, "
        "address pools).")


def test_a_router_without_gateway_or_interfaces():
    assert consequences.router_delete({"id": "r1", "name": "edge",
                                       "external_gateway_info": None}, []) == \
        "The router “edge” is deleted."


def test_the_default_group_says_neutron_keeps_it():
    assert consequences.security_group_delete({"name": "default"}, [{}, {}]) == (
        "Every project keeps its “default” security group: Neutron refuses to delete it.")


def test_rules_read_as_the_traffic_they_allow():
    group = {"name": "web"}
    icmp = {"direction": "ingress", "ethertype": "IPv4", "protocol": "icmp",
            "port_range_min": 8, "port_range_max": 0, "remote_ip_prefix": "0.0.0.0/0"}
    assert consequences.rule_delete(group, icmp).startswith(
        "Servers in “web” stop being allowed to accept IPv4 ICMP from 0.0.0.0/0,")
    members = {"direction": "ingress", "ethertype": "IPv6", "protocol": "tcp",
               "port_range_min": 22, "port_range_max": 22, "remote_group_id": "g2",
               "remote_group_name": "bastion"}
    assert consequences.rule_delete(group, members).startswith(
        "Servers in “web” stop being allowed to accept IPv6 TCP port 22 from members of "
        "“bastion”,")


def test_one_address_in_use_is_singular():
    text = consequences.pool_delete({"id": "p1", "name": "ext"}, [], {"used": 1})
    assert text == ("The pool “ext” is deleted: no project can allocate floating IPs or put a "
                    "router's gateway on it any more. 1 address of it is in use (floating "
                    "IPs, router gateways): the delete is refused until it is released.")


def test_a_floating_ip_on_a_port_without_a_server():
    fip = {"floating_ip_address": "203.0.113.7", "server_name": None, "port_id": "abcdef123456",
           "fixed_ip_address": "10.0.0.9", "pool_name": "public"}
    assert consequences.floating_ip_disassociate(fip) == (
        "The port abcdef12 (10.0.0.9) is no longer reachable at 203.0.113.7; connections "
        "through it end. The address stays allocated to the project.")
    assert consequences.admin_release({**fip, "project_name": "demo"}).endswith(
        "The port it points at loses it.")
