"""`devcloud --guests tiny` through Nova's API (openstacksdk): each server a real guest.

The devcloud here is the module's own (started with --guests tiny and a cap of 2), not the
session's: the rest of the suite keeps its fast plain servers.
"""

import os
import re
import time
from unittest import mock

import openstack
import pytest

from devcloud import testing

pytestmark = pytest.mark.qemu
LEASE = re.compile(r"udhcpc: lease of (\S+) obtained from (\S+), lease time \d+")


@pytest.fixture(scope="module")
def tiny(guest_image, tmp_path_factory):
    state = tmp_path_factory.mktemp("tiny") / "state"
    with mock.patch.dict(os.environ, {"DEVCLOUD_GUEST_CAP": "2"}):
        running = testing.start(state, "--guests", "tiny", "--build-delay", "0.2")
    try:
        yield running
    finally:
        pids = [g["pid"] for g in guests(running)["servers"] if g["pid"]]
        running.stop()
        assert not [p for p in pids if _running(p)], "qemu outlived devcloud"


@pytest.fixture(scope="module")
def conn(tiny):
    c = openstack.connect(auth_url=tiny.auth_url, username="demo", password="demo",
                          project_name="demo", user_domain_name="Default",
                          project_domain_name="Default", region_name="RegionOne",
                          identity_api_version="3")
    yield c
    for server in c.compute.servers():
        c.compute.delete_server(server)
    for server in c.compute.servers():
        c.compute.wait_for_delete(server, wait=30)


def guests(cloud) -> dict:
    return cloud.admin_api("GET", "guests")


def guest_of(cloud, server_id: str) -> dict | None:
    return next((g for g in guests(cloud)["servers"] if g["server_id"] == server_id), None)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def boot(conn, name: str, count: int = 1):
    net = conn.network.find_network("private")
    image = conn.image.find_image("cirros")
    server = conn.compute.create_server(name=name, flavor_id="1", image_id=image.id,
                                        networks=[{"uuid": net.id}], min_count=count,
                                        max_count=count)
    if count == 1:
        return conn.compute.wait_for_server(server, wait=60, interval=0.2)
    found = [s for s in conn.compute.servers(name=f"^{name}")]
    return [conn.compute.wait_for_server(s, wait=60, interval=0.2) for s in found]


def wait_log(conn, server, pattern: str, count: int = 1, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        out = conn.compute.get_server_console_output(server)["output"]
        if len(re.findall(pattern, out)) >= count:
            return out
        if time.monotonic() > deadline:
            raise AssertionError(f"{pattern!r} x{count} not in console output:\n{out[-2000:]}")
        time.sleep(0.3)


def test_a_server_is_a_guest_that_leases_exactly_its_port_ip_and_goes_with_delete(tiny, conn):
    server = boot(conn, "tiny-one")
    assert server.status == "ACTIVE"
    guest = guest_of(tiny, server.id)
    assert guest["pid"] and _running(guest["pid"])      # ACTIVE means qemu runs
    (port,) = conn.network.ports(device_id=server.id)
    ip, mac = port.fixed_ips[0]["ip_address"], port.mac_address
    subnet = conn.network.get_subnet(port.fixed_ips[0]["subnet_id"])
    out = wait_log(conn, server, r" login: ")
    # from the subnet's DHCP port, as a lease from Neutron's dnsmasq is
    (dhcp,) = conn.network.ports(network_id=port.network_id, device_owner="network:dhcp")
    dhcp_ip = next(f["ip_address"] for f in dhcp.fixed_ips if f["subnet_id"] == subnet.id)
    assert dhcp_ip != subnet.gateway_ip
    assert LEASE.findall(out) == [(ip, dhcp_ip)]
    assert f"link/ether {mac} " in out
    prefix = subnet.cidr.split("/")[1]
    assert f"inet {ip}/{prefix} " in out
    assert f"default via {subnet.gateway_ip} dev eth0" in out
    assert "Linux version 6." in out and "login as 'root'" in out
    # Nova's length parameter: the last lines only.
    tail = conn.compute.get_server_console_output(server, length=3)["output"]
    assert len(tail.splitlines()) <= 3 and "login:" in tail
    files = list((tiny.state_dir / "guests").iterdir())
    assert any(server.id in f.name for f in files)

    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=30)
    assert not _running(guest["pid"])
    assert guest_of(tiny, server.id) is None
    assert not [f for f in (tiny.state_dir / "guests").iterdir() if server.id in f.name]
    assert not list(conn.network.ports(device_id=server.id))


def test_reboot_stop_start_and_a_guest_that_dies(tiny, conn):
    server = boot(conn, "tiny-life")
    lease = r"udhcpc: lease of \S+ obtained"
    wait_log(conn, server, r" login: ")
    pid = guest_of(tiny, server.id)["pid"]

    conn.compute.reboot_server(server, "SOFT")
    conn.compute.wait_for_server(server, wait=30, interval=0.2)
    wait_log(conn, server, lease, count=2)
    assert guest_of(tiny, server.id)["pid"] == pid        # a reset, not a new qemu

    conn.compute.reboot_server(server, "HARD")
    conn.compute.wait_for_server(server, wait=30, interval=0.2)
    wait_log(conn, server, lease, count=3)

    conn.compute.stop_server(server)
    conn.compute.wait_for_server(server, status="SHUTOFF", wait=30, interval=0.2)
    assert not _running(pid) and guest_of(tiny, server.id)["state"] == "stopped"
    conn.compute.start_server(server)
    conn.compute.wait_for_server(server, wait=30, interval=0.2)
    out = wait_log(conn, server, lease, count=4)
    new_pid = guest_of(tiny, server.id)["pid"]
    assert new_pid != pid and _running(new_pid)
    assert out.count("Linux version 6.") == 4    # boot, two resets, start: one log for all

    os.kill(new_pid, 9)                                    # the guest dies under Nova
    conn.compute.wait_for_server(server, status="SHUTOFF", wait=10, interval=0.2)
    assert conn.compute.get_server(server).power_state == 4
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=30)


def test_over_the_cap_a_server_keeps_the_plain_console_and_says_why(tiny, conn):
    servers = boot(conn, "tiny-cap", count=3)
    assert [s.status for s in servers] == ["ACTIVE"] * 3
    with_guest = [s for s in servers if guest_of(tiny, s.id)]
    (plain,) = [s for s in servers if not guest_of(tiny, s.id)]
    assert len(with_guest) == 2
    out = conn.compute.get_server_console_output(plain)["output"]
    assert "no tiny guest for this server" in out and "the cap is 2" in out
    (port,) = conn.network.ports(device_id=plain.id)
    assert f"lease of {port.fixed_ips[0]['ip_address']}" in out   # the simulated boot
    for s in servers:
        conn.compute.delete_server(s)
    for s in servers:
        conn.compute.wait_for_delete(s, wait=30)


def test_consoles_are_the_guests_own_vnc_and_spice(tiny, conn):
    server = boot(conn, "tiny-console")
    guest = guest_of(tiny, server.id)
    admin = openstack.connect(auth_url=tiny.auth_url, username="admin", password="admin",
                              project_name="admin", user_domain_name="Default",
                              project_domain_name="Default", region_name="RegionOne",
                              identity_api_version="3")
    for protocol, type_, port in (("vnc", "novnc", guest["vnc_port"]),
                                  ("spice", "spice-html5", guest["spice_port"])):
        console = conn.compute.create_console(server, console_type=type_)
        token = re.search(r"token(?:%3D|=)([0-9a-f-]{36})", console["url"]).group(1)
        info = admin.compute.get(f"/os-console-auth-tokens/{token}",
                                 microversion="2.31").json()["console"]
        assert (info["host"], info["port"]) == ("127.0.0.1", port), protocol
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=30)


def test_a_restarted_devcloud_boots_its_active_servers_again(guest_image, tmp_path):
    state = tmp_path / "state"
    first = testing.start(state, "--guests", "tiny", "--build-delay", "0.2")
    try:
        c = openstack.connect(auth_url=first.auth_url, username="demo", password="demo",
                              project_name="demo", user_domain_name="Default",
                              project_domain_name="Default", region_name="RegionOne",
                              identity_api_version="3")
        server = boot(c, "tiny-restart")
        wait_log(c, server, r" login: ")
        old_pid = guest_of(first, server.id)["pid"]
    finally:
        first.stop()
    assert not _running(old_pid)                          # no qemu outlives its devcloud
    again = testing.start(state, "--guests", "tiny", "--build-delay", "0.2", reset=False)
    try:
        c = openstack.connect(auth_url=again.auth_url, username="demo", password="demo",
                              project_name="demo", user_domain_name="Default",
                              project_domain_name="Default", region_name="RegionOne",
                              identity_api_version="3")
        server = c.compute.get_server(server.id)
        assert server.status == "ACTIVE"
        out = wait_log(c, server, r"udhcpc: lease of \S+ obtained", count=2)
        assert out.count("Linux version 6.") == 2            # the log kept the first run
        assert _running(guest_of(again, server.id)["pid"])
        c.compute.delete_server(server)
        c.compute.wait_for_delete(server, wait=30)
    finally:
        pid = (guest_of(again, server.id) or {}).get("pid")
        again.stop()
        assert not (pid and _running(pid))
