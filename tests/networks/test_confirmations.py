"""Every destructive networks action is asked first in the page (templates/partials/
confirm.html): each page's delete / release / disassociate / remove form is the panel of
a confirmation that says what will be lost, from what the page already shows (the same
cloud calls as before), posting to the same URL as before."""

import html as html_lib
import re

import pytest

from .helpers import boot_server, tenant_network

pytestmark = pytest.mark.django_db

DESTRUCTIVE = re.compile(r"/(delete|release|disassociate|remove)/")


def confirmations(resp) -> dict[str, dict]:
    """The page's confirmations by where they post: {url: {"testid", "what", "form"}},
    and a check that no destructive form on the page acts on one click."""
    html = resp.content.decode()
    found = {}
    for m in re.finditer(r'<details class="confirm" data-testid="([^"]+)-confirmation">'
                         r'(.*?)</details>', html, re.S):
        testid, body = m.groups()
        form = re.search(r'<form method="post" action="([^"]+)" class="confirm-panel"', body)
        what = re.search(r"<p>(.*?)</p>", body, re.S)
        assert form and what, body
        found[html_lib.unescape(form.group(1))] = {
            "testid": testid, "what": html_lib.unescape(" ".join(what.group(1).split())),
            "form": body}
    for action, attrs in re.findall(r'<form method="post" action="([^"]+)"([^>]*)>', html):
        if DESTRUCTIVE.search(action):
            assert 'class="confirm-panel"' in attrs, f"{action} acts without asking"
    return found


def test_network_and_subnet_deletes_say_what_goes_and_what_holds_them(as_, cloud, prefix,
                                                                       pool):
    alice, conn = as_("alice"), cloud.connect("alice")
    net, subnet, router = tenant_network(conn, f"{prefix}-net", "10.23.0.0/24", pool["id"])
    server = boot_server(conn, f"{prefix}-web", net.id)
    fixed = next(conn.network.ports(device_id=server.id)).fixed_ips[0]["ip_address"]
    url = f"/network/networks/{net.id}/"
    alice.get(url)                                  # warm (version discovery)
    before = int(alice.get(url)["X-Cloud-Calls"])
    resp = alice.get(url)
    asked = confirmations(resp)
    holders = f"server “{prefix}-web” ({fixed}) and a router (10.23.0.1)"
    assert asked[f"/network/networks/{net.id}/delete/"]["what"] == (
        f"The network “{prefix}-net” and its 1 subnet (10.23.0.0/24) are deleted, with their "
        "address pools, DHCP and DNS settings. Neutron refuses while something is attached: "
        f"{holders}. Delete or detach them first.")
    assert asked[f"/network/subnets/{subnet.id}/delete/"]["what"] == (
        f"The subnet “{prefix}-net-subnet” 10.23.0.0/24 is deleted with its settings (gateway "
        f"10.23.0.1, DHCP, DNS, address pools). Neutron refuses while addresses on it are in "
        f"use: {holders}.")
    assert int(resp["X-Cloud-Calls"]) == before     # asking costs no call of its own

    # The router's page: its delete and the interface's removal, each with its words.
    resp = alice.get(f"/network/routers/{router.id}/")
    asked = confirmations(resp)
    gateway = conn.network.get_router(router.id).external_gateway_info[
        "external_fixed_ips"][0]["ip_address"]
    assert asked[f"/network/routers/{router.id}/delete/"]["what"] == (
        f"The router “{prefix}-net-router” is deleted, and its gateway address {gateway} goes "
        "back to the pool. Neutron refuses while subnets are attached (10.23.0.0/24): remove "
        "its interfaces first.")
    remove = asked[f"/network/routers/{router.id}/interfaces/remove/"]
    assert remove["what"].startswith(f"The subnet “{prefix}-net-subnet” (10.23.0.0/24) is "
                                     f"detached from the router “{prefix}-net-router”")
    assert f'name="subnet" value="{subnet.id}"' in remove["form"]


def test_floating_ip_release_and_disassociate_say_what_is_lost(as_, cloud, prefix, pool):
    alice, conn = as_("alice"), cloud.connect("alice")
    net, _, _ = tenant_network(conn, f"{prefix}-net", "10.24.0.0/24", pool["id"])
    server = boot_server(conn, f"{prefix}-vm", net.id)
    port = next(conn.network.ports(device_id=server.id))
    held = conn.network.create_ip(floating_network_id=pool["id"], port_id=port.id)
    free = conn.network.create_ip(floating_network_id=pool["id"])
    fixed = port.fixed_ips[0]["ip_address"]

    asked = confirmations(alice.get("/network/floating-ips/"))
    back = (f"goes back to the pool “{pool['name']}”: another project may get it, and a new "
            "allocation will most likely be a different address.")
    assert asked[f"/network/floating-ips/{held.id}/release/"]["what"] == (
        f"The server “{prefix}-vm” loses {held.floating_ip_address} (its fixed address "
        f"stays), which {back}")
    assert asked[f"/network/floating-ips/{free.id}/release/"]["what"] == (
        f"{free.floating_ip_address} {back}")
    assert asked[f"/network/floating-ips/{held.id}/disassociate/"]["what"] == (
        f"The server “{prefix}-vm” ({fixed}) is no longer reachable at "
        f"{held.floating_ip_address}; connections through it end. The address stays "
        "allocated to the project.")
    assert f"/network/floating-ips/{free.id}/disassociate/" not in asked

    asked = confirmations(as_("admin").get("/network/pools/floating-ips/"))
    project = cloud.accounts["alice"].project
    assert asked[f"/network/pools/floating-ips/{held.id}/release/"]["what"] == (
        f"{held.floating_ip_address} is taken from the project “{project}” and goes back to "
        f"the pool, where another project may get it. The server “{prefix}-vm” loses it.")


def test_security_group_and_rule_deletes_name_the_traffic(as_, cloud, prefix):
    alice, conn = as_("alice"), cloud.connect("alice")
    group = conn.network.create_security_group(name=f"{prefix}-web")
    rule = conn.network.create_security_group_rule(
        security_group_id=group.id, direction="ingress", ethertype="IPv4", protocol="tcp",
        port_range_min=8000, port_range_max=8080, remote_ip_prefix="192.0.2.0/24")
    rules = list(conn.network.security_group_rules(security_group_id=group.id))
    asked = confirmations(alice.get(f"/network/security-groups/{group.id}/"))
    assert asked[f"/network/security-groups/{group.id}/delete/"]["what"] == (
        f"The security group “{prefix}-web” and its {len(rules)} rules are deleted. Neutron "
        "refuses while a server still uses it.")
    assert asked[f"/network/security-groups/{group.id}/rules/{rule.id}/delete/"]["what"] == (
        f"Servers in “{prefix}-web” stop being allowed to accept IPv4 TCP ports 8000–8080 "
        "from 192.0.2.0/24, from the moment the rule is removed (unless another rule "
        "allows it).")
    egress = next(r for r in rules if r.direction == "egress" and r.ether_type == "IPv4")
    assert asked[f"/network/security-groups/{group.id}/rules/{egress.id}/delete/"][
        "what"].startswith(f"Servers in “{prefix}-web” stop being allowed to send IPv4 any "
                           "protocol to anywhere")


def test_pool_and_range_deletes_count_the_addresses_in_use(as_, cloud, prefix, pool):
    admin, alice = as_("admin"), cloud.connect("alice")
    subnet = next(cloud.connect("admin").network.subnets(network_id=pool["id"]))
    fip = alice.network.create_ip(floating_network_id=pool["id"])
    asked = confirmations(admin.get(f"/network/pools/{pool['id']}/"))
    span = "–".join((subnet.allocation_pools[0]["start"], subnet.allocation_pools[0]["end"]))
    used = re.search(r"(\d+) address(?:es)? of it (?:is|are) in use",
                     asked[f"/network/pools/{pool['id']}/delete/"]["what"])
    assert used and int(used.group(1)) >= 1, asked  # this one, and any router gateways
    assert asked[f"/network/pools/{pool['id']}/delete/"]["what"].startswith(
        f"The pool “{pool['name']}” and its 1 range ({subnet.cidr}) are deleted: no project "
        "can allocate floating IPs or put a router's gateway on it any more.")
    assert asked[f"/network/pools/{pool['id']}/ranges/{subnet.id}/delete/"]["what"].startswith(
        f"The range {subnet.cidr} ({span}) is removed from the pool “{pool['name']}”: its "
        "addresses are no longer offered.")
    alice.network.delete_ip(fip)


def test_readers_get_no_confirmation_to_open(as_, cloud, prefix, pool):
    conn = cloud.connect("demo")
    net, _, router = tenant_network(conn, f"{prefix}-d", "10.25.0.0/24", pool["id"])
    reader = as_("reader")
    for url in (f"/network/networks/{net.id}/", f"/network/routers/{router.id}/",
                "/network/floating-ips/"):
        resp = reader.get(url)
        assert resp.status_code == 200 and confirmations(resp) == {}, url
        assert '<details class="confirm"' not in resp.content.decode(), url
