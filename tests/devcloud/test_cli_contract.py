"""The seed's commands, run with the real `openstack` CLI against devcloud, in one sequence:
network, subnet, router to `public`, a server on the network (--wait), its port (MAC and
IP from the subnet), a floating IP attached, a noVNC console URL, delete (--wait), and the
IP back in the pool. Each CLI call costs ~2 s, so this is one test."""

import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

OPENSTACK = str(Path(sys.executable).with_name("openstack"))


@pytest.fixture
def cli(clouds_env):
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(clouds_env.clouds_yaml),
               OS_CLOUD="devcloud-demo", PYTHONWARNINGS="ignore")

    def run(*args, as_json=True):
        cmd = [OPENSTACK, *args] + (["-f", "json"] if as_json else [])
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"openstack {' '.join(args)}:\n{done.stderr[-2000:]}"
        return json.loads(done.stdout) if as_json and done.stdout.strip() else done.stdout
    return run


def test_seed_commands(cli):
    net = cli("network", "create", "cli-net")
    subnet = cli("subnet", "create", "--network", "cli-net", "--subnet-range",
                 "192.168.50.0/24", "cli-subnet")
    assert subnet["network_id"] == net["id"]
    cli("router", "create", "cli-router")
    cli("router", "set", "--external-gateway", "public", "cli-router", as_json=False)
    cli("router", "add", "subnet", "cli-router", "cli-subnet", as_json=False)

    server = cli("server", "create", "--flavor", "1", "--image", "cirros", "--network",
                 net["id"], "test_vm", "--wait")
    assert server["status"] == "ACTIVE"

    (port,) = cli("port", "list", "--server", "test_vm", "--long")
    mac = port["MAC Address"]
    ip = port["Fixed IP Addresses"][0]["ip_address"]
    assert mac.startswith("fa:16:3e:")
    assert ipaddress.ip_address(ip) in ipaddress.ip_network("192.168.50.0/24")

    fip = cli("floating", "ip", "create", "public")
    address = fip["floating_ip_address"]
    assert ipaddress.ip_address(address) in ipaddress.ip_network("203.0.113.0/24")
    cli("server", "add", "floating", "ip", "test_vm", address, as_json=False)
    attached = cli("floating", "ip", "show", address)
    assert attached["fixed_ip_address"] == ip and attached["port_id"] == port["ID"]

    console = cli("console", "url", "show", "--novnc", "test_vm")
    assert "/vnc_auto.html?path=%3Ftoken%3D" in console["url"]

    log = cli("console", "log", "show", "test_vm", as_json=False)
    assert f"udhcpc: lease of {ip} obtained from" in log and f"link/ether {mac}" in log

    cli("server", "delete", "--wait", "test_vm", as_json=False)
    left = cli("port", "list", "--network", "cli-net", "--long")
    assert ip not in [f["ip_address"] for p in left for f in p["Fixed IP Addresses"]]
    freed = cli("floating", "ip", "show", address)
    assert freed["port_id"] is None

    cli("floating", "ip", "delete", address, as_json=False)
    cli("router", "remove", "subnet", "cli-router", "cli-subnet", as_json=False)
    cli("router", "delete", "cli-router", as_json=False)
    cli("network", "delete", "cli-net", as_json=False)
