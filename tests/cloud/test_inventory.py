"""Kolla-Ansible inventories and globals.yml as kolla-ansible ships them (multinode with
children groups, ranges and host variables; all-in-one), and malformed ones: each error names
the file and the line."""

import textwrap

import pytest

from cloud import inventory, kolla_globals

MULTINODE = """\
# These initial groups are the only groups required to be modified. The
# additional groups are for more control of the environment.
[control]
# These hostname must be resolvable from your deployment host
control[01:03] ansible_user=kolla

# The above can also be specified as follows:
#control[01:03]     ansible_user=kolla

# The network nodes are where your l3-agent and loadbalancers will run
# This can be the same as a host in the control group
[network:children]
control

[compute]
compute[01:20]

[monitoring]
monitor01 ansible_host=10.0.0.50 ansible_port=2222

# When compute nodes and control nodes use different interfaces,
# you need to comment out "api_interface" and other interfaces from the globals.yml
# and specify like below:
#compute01 neutron_external_interface=eth0 api_interface=em1 tunnel_interface=em1

[storage]
storage01

[deployment]
localhost       ansible_connection=local

[baremetal:children]
control
network
compute
storage
monitoring

[tls-backend:children]
control

# You can explicitly specify which hosts run each project by updating the
# groups in the sections below. Common services are grouped together.

[common:children]
control
network
compute
storage
monitoring

[nova:children]
control

[nova-compute:children]
compute

[neutron-openvswitch-agent:children]
network
compute

[cinder-volume:children]
storage

[all:vars]
ansible_become=true
"""

ALL_IN_ONE = """\
# These initial groups are the only groups required to be modified. The
# additional groups are for more control of the environment.
[control]
localhost       ansible_connection=local

[network]
localhost       ansible_connection=local

[compute]
localhost       ansible_connection=local

[storage]
localhost       ansible_connection=local

[monitoring]
localhost       ansible_connection=local

[deployment]
localhost       ansible_connection=local

[baremetal:children]
control

[nova-compute:children]
compute
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_multinode_with_children_ranges_and_host_variables(tmp_path):
    inv = inventory.read(write(tmp_path, "multinode", MULTINODE))
    assert inv.groups["control"] == ["control01", "control02", "control03"]
    assert inv.groups["network"] == inv.groups["control"]       # [network:children] control
    assert inv.groups["compute"] == [f"compute{i:02d}" for i in range(1, 21)]
    assert inv.groups["storage"] == ["storage01"]
    assert inv.groups["monitoring"] == ["monitor01"]
    assert "localhost" not in inv.hosts                         # [deployment] is not Kolla's five
    assert inv.hostvars["monitor01"] == {"ansible_host": "10.0.0.50", "ansible_port": 2222}
    assert inv.hostvars["control02"] == {"ansible_user": "kolla"}
    assert inv.groups_of("control01") == ["control", "network"]


def test_all_in_one(tmp_path):
    inv = inventory.read(write(tmp_path, "all-in-one", ALL_IN_ONE))
    assert inv.groups == {g: ["localhost"] for g in inventory.KOLLA_GROUPS}
    assert inv.hostvars["localhost"] == {"ansible_connection": "local"}


@pytest.mark.parametrize(("text", "line", "words"), [
    ("[control]\nc1\n\n[network:children]\nnothere\n", 5, "undefined group 'nothere'"),
    ("[control]\nc1\n[compute:hosts2]\nx\n", 3, "unknown type: hosts2"),
    ("[control]\nc1\n[compute]\nx ansible_port\n", 4, "Expected key=value"),
    ("[control]\nc1\n[compute\nx\n", 3, "[compute"),
    ("[control]\nc[01:]\n", 2, "c[01:]"),
])
def test_malformed_inventory_names_file_and_line(tmp_path, text, line, words):
    path = write(tmp_path, "multinode", text)
    with pytest.raises(inventory.InventoryError) as err:
        inventory.read(path)
    assert err.value.path == str(path) and err.value.line == line
    assert words in err.value.reason
    assert str(err.value).startswith(f"{path}, line {line}: ")


def test_unreadable_empty_and_groupless_inventories(tmp_path):
    with pytest.raises(inventory.InventoryError, match="cannot be read"):
        inventory.read(tmp_path / "missing")
    with pytest.raises(inventory.InventoryError, match="is empty"):
        inventory.read(write(tmp_path, "empty", "\n# nothing\n"[:1]))
    with pytest.raises(inventory.InventoryError, match="names no host in any of the Kolla"):
        inventory.read(write(tmp_path, "other", "[web]\nw1\n"))


GLOBALS = """\
---
kolla_base_distro: "rocky"
openstack_release: "2026.2"
kolla_internal_vip_address: "10.0.0.250"
network_interface: "eth0"
neutron_external_interface: "eth1,eth2"
neutron_plugin_agent: "openvswitch"
enable_cinder: "yes"
"""


def test_globals_pair_interfaces_bridges_and_physnets(tmp_path):
    g = kolla_globals.read(write(tmp_path, "globals.yml", GLOBALS))
    assert g.network_interface == "eth0"
    assert g.external_interfaces == ("eth1", "eth2")
    assert g.physnets == (kolla_globals.Physnet("physnet1", "br-ex", "eth1"),
                          kolla_globals.Physnet("physnet2", "br-ex2", "eth2"))
    assert g.defaulted == ()


def test_globals_named_physnets_and_defaults(tmp_path):
    g = kolla_globals.read(write(tmp_path, "globals.yml", (
        'neutron_external_interface: "bond1"\nneutron_bridge_name: "br-provider"\n'
        'neutron_physical_networks: "provider"\n')))
    assert g.network_interface == "eth0" and g.defaulted == ("network_interface",)
    assert g.physnets == (kolla_globals.Physnet("provider", "br-provider", "bond1"),)


@pytest.mark.parametrize(("text", "line", "words"), [
    ('network_interface: "eth0"\nneutron_external_interface: "eth1\n', 2, "found"),
    ('network_interface: eth0\n  bad: indent\n', 2, "mapping values are not allowed"),
    ('- just\n- a list\n', 1, "is not a mapping"),
    ('neutron_external_interface: "eth1,eth2"\nneutron_bridge_name: "br-ex"\n', 2,
     "2 external interface(s), 1 bridge(s)"),
    ('network_interface:\n  - eth0\n', 1, "comma-separated list"),
])
def test_malformed_globals_name_file_and_line(tmp_path, text, line, words):
    path = write(tmp_path, "globals.yml", text)
    with pytest.raises(kolla_globals.GlobalsError) as err:
        kolla_globals.read(path)
    assert (err.value.path, err.value.line) == (str(path), line)
    assert words in err.value.reason
