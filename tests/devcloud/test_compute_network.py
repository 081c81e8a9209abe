"""The seed's Neutron workflow through Nova: boot on a network → a port with MAC and IP →
ACTIVE with those addresses → the DHCP lease for exactly that port in the console log →
delete → port gone, IP free. Needs the Neutron part of devcloud."""

import re
import uuid

import pytest


@pytest.fixture(scope="module")
def network(nova_demo):
    net = nova_demo.call("POST", "/networking/v2.0/networks", {"network": {
        "name": f"nova-{uuid.uuid4().hex[:6]}"}}).json()["network"]
    subnet = nova_demo.call("POST", "/networking/v2.0/subnets", {"subnet": {
        "network_id": net["id"], "ip_version": 4, "cidr": "10.77.0.0/24",
        "name": "nova-sub"}}).json()["subnet"]
    yield net, subnet
    nova_demo.call("DELETE", f"/networking/v2.0/networks/{net['id']}")


def _ports(nova_demo, server_id):
    return nova_demo.call("GET", f"/networking/v2.0/ports?device_id={server_id}").json()["ports"]


def test_boot_gets_a_port_and_a_lease_in_the_console(nova_demo, network):
    net, subnet = network
    server = nova_demo.boot("leased", networks=[{"uuid": net["id"]}])[0]
    active = nova_demo.wait(server["id"], "ACTIVE")
    (port,) = _ports(nova_demo, server["id"])
    ip, mac = port["fixed_ips"][0]["ip_address"], port["mac_address"]
    assert mac.startswith("fa:16:3e:") and ip.startswith("10.77.0.")
    assert port["device_owner"].startswith("compute:")
    (addr,) = active["addresses"][net["name"]]
    assert (addr["addr"], addr["OS-EXT-IPS-MAC:mac_addr"], addr["OS-EXT-IPS:type"]) == \
        (ip, mac, "fixed")
    assert active["security_groups"] == [{"name": "default"}]
    out = nova_demo.nova("POST", f"/servers/{server['id']}/action",
                         {"os-getConsoleOutput": {}}).json()["output"]
    lease = re.search(rf"^udhcpc: lease of {re.escape(ip)} obtained from ([0-9.]+), "
                      r"lease time 86400$", out, re.M)
    assert lease, out
    assert f"udhcpc: broadcasting select for {ip}, server {lease.group(1)}" in out
    # the server is the subnet's DHCP port (its first free address), as Neutron's DHCP
    # agent's dnsmasq answers from it, not the gateway
    dhcp = nova_demo.call("GET", f"/networking/v2.0/ports?network_id={net['id']}"
                                 "&device_owner=network:dhcp").json()["ports"]
    assert [p["fixed_ips"] for p in dhcp] == [[{"subnet_id": subnet["id"],
                                               "ip_address": "10.77.0.2"}]]
    assert lease.group(1) == "10.77.0.2" != subnet["gateway_ip"]
    assert f"    link/ether {mac} brd ff:ff:ff:ff:ff:ff" in out
    assert f"    inet {ip}/24 " in out
    # As a real Nova with Neutron's ip-substring-filtering: a literal substring, no regex.
    assert nova_demo.nova("GET", f"/servers?ip={ip}").json()["servers"][0]["id"] == server["id"]
    assert nova_demo.nova("GET", f"/servers?ip={ip}$").json()["servers"] == []
    nova_demo.delete_all([server])
    assert _ports(nova_demo, server["id"]) == []
    in_use = nova_demo.call("GET", f"/networking/v2.0/ports?network_id={net['id']}").json()["ports"]
    assert ip not in [f["ip_address"] for p in in_use for f in p["fixed_ips"]]


def test_boot_on_a_users_port_unbinds_it_on_delete(nova_demo, network):
    net, _ = network
    port = nova_demo.call("POST", "/networking/v2.0/ports", {"port": {
        "network_id": net["id"], "name": "mine"}}).json()["port"]
    server = nova_demo.boot("onport", networks=[{"port": port["id"]}])[0]
    nova_demo.wait(server["id"], "ACTIVE")
    bound = nova_demo.call("GET", f"/networking/v2.0/ports/{port['id']}").json()["port"]
    assert bound["device_id"] == server["id"]
    in_use = nova_demo.nova("POST", "/servers", {"server": {
        "name": "twice", "flavorRef": "1", "imageRef": nova_demo.cirros(),
        "networks": [{"port": port["id"]}]}})
    assert in_use.json() == {"conflictingRequest": {
        "code": 409, "message": f"Port {port['id']} is still in use."}}
    nova_demo.delete_all([server])
    kept = nova_demo.call("GET", f"/networking/v2.0/ports/{port['id']}").json()["port"]
    assert kept["device_id"] == ""
    nova_demo.call("DELETE", f"/networking/v2.0/ports/{port['id']}")


def test_count_boot_gives_each_server_its_own_port(nova_demo, network):
    net, _ = network
    servers = nova_demo.boot("pair", networks=[{"uuid": net["id"]}], min_count=2, max_count=2)
    ips = set()
    for s in servers:
        nova_demo.wait(s["id"], "ACTIVE")
        ips |= {f["ip_address"] for p in _ports(nova_demo, s["id"]) for f in p["fixed_ips"]}
    assert len(ips) == 2
    nova_demo.delete_all(servers)
