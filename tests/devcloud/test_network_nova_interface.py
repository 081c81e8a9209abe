"""The calls devcloud's Nova makes on the network service, in-process (no HTTP)."""


import pytest

from devcloud.cloud import Cloud, Config
from devcloud.errors import CloudError
from devcloud.identity import Identity
from devcloud.network import Neutron
from devcloud.network import floatingips as fips
from devcloud.store import Store


@pytest.fixture
def neutron():
    cloud = Cloud(config=Config(), store=Store(None))
    identity = Identity(cloud)
    cloud.services["identity"] = identity
    identity.seed()
    service = Neutron(cloud)
    cloud.services["network"] = service
    service.seed()
    return service


def _demo(neutron):
    project = neutron.cloud.services["identity"].project_by_name("demo")["id"]
    private = next(n for n in neutron.visible_networks(project) if n["name"] == "private")
    return project, private


def test_server_port_lifecycle(neutron):
    project, private = _demo(neutron)
    port = neutron.create_server_port(project, network_id=private["id"], device_id="srv-1")
    assert port["device_owner"] == "compute:nova" and port["status"] == "DOWN"
    assert port["fixed_ips"][0]["ip_address"] == "10.0.0.3"  # .1 router, .2 DHCP
    neutron.set_ports_status("srv-1", "ACTIVE")
    assert neutron.server_ports("srv-1")[0]["status"] == "ACTIVE"
    assert neutron.dhcp_server_ip(port["fixed_ips"][0]["subnet_id"]) == "10.0.0.2"
    addresses = neutron.server_addresses(["srv-1", "nothing"])
    assert addresses["nothing"] == {}
    assert addresses["srv-1"] == {"private": [{
        "version": 4, "addr": "10.0.0.3", "OS-EXT-IPS:type": "fixed",
        "OS-EXT-IPS-MAC:mac_addr": port["mac_address"]}]}
    state = neutron.state
    public = next(n for n in state["networks"].values() if n["name"] == "public")
    fip = fips.allocate(state, None, project, {"floating_network_id": public["id"],
                                               "port_id": port["id"]})
    floating = neutron.server_addresses(["srv-1"])["srv-1"]["private"][1]
    assert (floating["addr"], floating["OS-EXT-IPS:type"]) == (fip["floating_ip_address"],
                                                              "floating")
    released = neutron.release_server_ports("srv-1")
    assert [p["id"] for p in released] == [port["id"]]
    assert neutron.server_ports("srv-1") == []
    assert state["floatingips"][fip["id"]]["port_id"] is None
    again = neutron.create_server_port(project, network_id=private["id"], device_id="srv-2")
    assert again["fixed_ips"][0]["ip_address"] == "10.0.0.3"


def test_user_port_is_bound_then_unbound(neutron):
    project, private = _demo(neutron)
    state = neutron.state
    from devcloud.network import ports
    mine = ports.build(state, project_id=project, network=private)
    bound = neutron.create_server_port(project, port_id=mine["id"], device_id="srv-3")
    assert bound["device_id"] == "srv-3"
    with pytest.raises(CloudError) as err:
        neutron.create_server_port(project, port_id=mine["id"], device_id="srv-4")
    assert (err.value.status, err.value.kind) == (409, "PortInUse")
    neutron.release_server_ports("srv-3")
    kept = state["ports"][mine["id"]]
    assert (kept["device_id"], kept["device_owner"]) == ("", "")


@pytest.mark.parametrize("kwargs,status,kind", [
    ({"network_id": "nope"}, 404, "NetworkNotFound"),
    ({"port_id": "nope"}, 404, "PortNotFound"),
])
def test_server_port_errors(neutron, kwargs, status, kind):
    project, _ = _demo(neutron)
    with pytest.raises(CloudError) as err:
        neutron.create_server_port(project, device_id="x", **kwargs)
    assert (err.value.status, err.value.kind) == (status, kind)


def test_other_projects_network_is_not_found(neutron):
    _, private = _demo(neutron)
    beta = neutron.cloud.services["identity"].project_by_name("beta")["id"]
    with pytest.raises(CloudError) as err:
        neutron.create_server_port(beta, network_id=private["id"], device_id="x")
    assert err.value.kind == "NetworkNotFound"


def test_exhaustion_and_quota(neutron):
    project, private = _demo(neutron)
    neutron.state.store["network_quotas"][project] = {"port": 1000}
    for i in range(251):  # 10.0.0.3 .. 10.0.0.253
        neutron.create_server_port(project, network_id=private["id"], device_id=f"s{i}")
    neutron.create_server_port(project, network_id=private["id"], device_id="last")
    with pytest.raises(CloudError) as err:
        neutron.create_server_port(project, network_id=private["id"], device_id="full")
    assert (err.value.status, err.value.kind) == (409, "IpAddressGenerationFailure")
    neutron.state.store["network_quotas"][project] = {"port": 10}
    neutron.release_server_ports("last")
    with pytest.raises(CloudError) as err:
        neutron.create_server_port(project, network_id=private["id"], device_id="over")
    assert (err.value.status, err.value.kind) == (409, "OverQuota")


def test_server_addresses_at_scale(neutron):
    """10,000 servers' addresses in one answer, each with its own port (how fast it is:
    bench/devcloud_scale.py, not a timed assertion here)."""
    project, _ = _demo(neutron)
    state = neutron.state
    from devcloud.network import networks, subnets
    neutron.state.store["network_quotas"][project] = {"port": -1}
    big = networks.create_network(state, project, {"name": "big"})
    subnets.build_subnet(state, project, big, {"cidr": "10.128.0.0/16", "ip_version": 4})
    ids = [f"server-{i}" for i in range(10_000)]
    for device_id in ids:
        neutron.create_server_port(project, network_id=big["id"], device_id=device_id)
    addresses = neutron.server_addresses(ids)
    assert len(addresses) == 10_000 and all(len(a["big"]) == 1 for a in addresses.values())
    assert len({a["big"][0]["addr"] for a in addresses.values()}) == 10_000
