"""How services are laid out by Kolla group: inferred from what runs where, or from an
inventory (which group a service is shown under, FQDNs and cinder's host@backend)."""

from cloud.inventory import Inventory
from cloud.topology import Service, lay_out


def svc(binary: str, host: str, source: str = "nova", up: bool = True) -> Service:
    return Service(key=f"{source}-{binary}-{host}", source=source, id=f"{binary}@{host}",
                   binary=binary, host=host, up=up, enabled=True, heartbeat=None)


CLOUD = [
    svc("nova-scheduler", "ctl01"), svc("nova-conductor", "ctl01"),
    svc("neutron-l3-agent", "ctl01", "neutron"), svc("neutron-dhcp-agent", "ctl01", "neutron"),
    svc("neutron-openvswitch-agent", "ctl01", "neutron"),
    svc("nova-compute", "cmp01.example.com"),
    svc("neutron-openvswitch-agent", "cmp01.example.com", "neutron", up=False),
    svc("cinder-scheduler", "ctl01", "cinder"), svc("cinder-volume", "stor01@lvm", "cinder"),
]


def names(entries) -> dict[str, list[str]]:
    return {host.name: [s.binary for s in services] for host, services in entries}


def test_groups_inferred_from_the_services():
    layout = lay_out(CLOUD)
    assert layout.inferred
    assert layout.hosts["ctl01"].groups == ["control", "network"]
    # every compute host runs an L2 agent: it does not make the host a network host
    assert layout.hosts["cmp01"].groups == ["compute"]
    assert layout.hosts["stor01"].groups == ["storage"]
    assert names(layout.groups["control"]) == {
        "ctl01": ["cinder-scheduler", "nova-conductor", "nova-scheduler"]}
    assert names(layout.groups["network"]) == {
        "ctl01": ["neutron-dhcp-agent", "neutron-l3-agent", "neutron-openvswitch-agent"]}
    assert names(layout.groups["compute"]) == {
        "cmp01.example.com": ["neutron-openvswitch-agent", "nova-compute"]}
    assert [s.binary for s in layout.services if not s.up] == ["neutron-openvswitch-agent"]
    assert not layout.unknown and not layout.missing


def test_inventory_groups_missing_and_unknown():
    inventory = Inventory("/etc/kolla/multinode", {
        "control": ["ctl01", "ctl02"], "network": ["ctl01"], "compute": ["cmp01"],
        "storage": [], "monitoring": ["mon01"]})
    layout = lay_out(CLOUD, inventory, [{"id": "rp1", "name": "cmp01.example.com"}])
    assert not layout.inferred
    assert [h.name for h in layout.missing] == ["ctl02", "mon01"]
    assert [h.name for h in layout.unknown] == ["stor01"]       # cinder's host@backend
    assert names(layout.groups["compute"]) == {
        "cmp01": ["neutron-openvswitch-agent", "nova-compute"]}  # the FQDN is cmp01
    assert layout.hosts["cmp01"].hypervisor == {"id": "rp1", "name": "cmp01.example.com"}
    assert names(layout.groups["network"]) == {
        "ctl01": ["neutron-dhcp-agent", "neutron-l3-agent", "neutron-openvswitch-agent"]}
    assert names(layout.groups["control"]) == {
        "ctl01": ["cinder-scheduler", "nova-conductor", "nova-scheduler"], "ctl02": []}
    assert names(layout.groups["monitoring"]) == {"mon01": []}
