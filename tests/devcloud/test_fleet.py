"""devcloud's hosts: Nova services, hypervisors, Neutron agents and Placement providers
agree on which compute hosts exist; a service can be disabled (Nova's PUT), forced down,
or lose its heartbeat (devcloud's admin API), and every API then says so as Nova and
Neutron do."""

import pytest


@pytest.fixture
def three_hosts(devcloud):
    """devcloud with compute01 and compute02 beside it, for this test only: the other tests
    expect one compute host, and every service enabled and up."""
    devcloud.admin_api("POST", "config", {"compute_hosts": 3})
    yield ["devcloud", "compute01", "compute02"]
    devcloud.admin_api("DELETE", "services")
    devcloud.admin_api("POST", "config", {"compute_hosts": 1})


def _services(nova_admin, mv="2.104"):
    return nova_admin.nova("GET", "/os-services", mv=mv).json()["services"]


def _compute(nova_admin, host):
    (svc,) = [s for s in _services(nova_admin) if s["host"] == host
              and s["binary"] == "nova-compute"]
    return svc


def test_every_api_lists_every_compute_host(devcloud, nova_admin, neutron_admin, three_hosts):
    services = _services(nova_admin)
    assert sorted((s["host"], s["binary"]) for s in services) == sorted(
        [("devcloud", "nova-conductor"), ("devcloud", "nova-scheduler")]
        + [(h, "nova-compute") for h in three_hosts])
    assert set(services[0]) == {"binary", "host", "id", "zone", "status", "state",
                                "updated_at", "disabled_reason", "forced_down"}
    assert [s["id"] for s in _services(nova_admin, mv="2.52")] == [1, 2, 3, 4, 5]
    hypervisors = nova_admin.nova("GET", "/os-hypervisors/detail").json()["hypervisors"]
    assert [h["hypervisor_hostname"] for h in hypervisors] == three_hosts
    providers = nova_admin.call("GET", "/placement/resource_providers", headers={
        "OpenStack-API-Version": "placement 1.39"}).json()["resource_providers"]
    assert {p["uuid"]: p["name"] for p in providers} == {
        h["id"]: h["hypervisor_hostname"] for h in hypervisors}
    idle = providers[-1]["uuid"]
    usages = nova_admin.call("GET", f"/placement/resource_providers/{idle}/usages").json()
    assert usages["usages"] == {"VCPU": 0, "MEMORY_MB": 0, "DISK_GB": 0}
    agents = neutron_admin.ok("GET", "/agents")["agents"]
    assert sorted((a["host"], a["binary"]) for a in agents if a["host"] != "devcloud") == [
        ("compute01", "neutron-openvswitch-agent"), ("compute02", "neutron-openvswitch-agent")]


def test_disable_and_enable_a_compute_service(devcloud, nova_admin, three_hosts):
    svc = _compute(nova_admin, "compute01")
    done = nova_admin.nova("PUT", f"/os-services/{svc['id']}",
                           {"status": "disabled", "disabled_reason": "new disks"})
    assert done.status_code == 200
    assert done.json()["service"] | {"updated_at": None} == svc | {
        "status": "disabled", "disabled_reason": "new disks", "updated_at": None}
    (hv,) = [h for h in nova_admin.nova("GET", "/os-hypervisors/detail").json()["hypervisors"]
             if h["hypervisor_hostname"] == "compute01"]
    assert hv["status"] == "disabled" and hv["service"]["disabled_reason"] == "new disks"
    traits = nova_admin.call("GET", f"/placement/resource_providers/{hv['id']}/traits",
                             headers={"OpenStack-API-Version": "placement 1.39"}).json()
    assert "COMPUTE_STATUS_DISABLED" in traits["traits"]

    refused = nova_admin.nova("PUT", f"/os-services/{svc['id']}",
                              {"status": "enabled", "disabled_reason": "x"})
    assert refused.status_code == 400
    assert refused.json()["badRequest"]["message"] == (
        "Specifying 'disabled_reason' with status 'enabled' is invalid.")
    unknown = nova_admin.nova("PUT", f"/os-services/{svc['id']}", {"foo": 1})
    assert unknown.json()["badRequest"]["message"] == (
        "Additional properties are not allowed ('foo' was unexpected)")
    nothing = nova_admin.nova("PUT", f"/os-services/{svc['id']}", {})
    assert nothing.json()["badRequest"]["message"] == (
        "No updates were requested. Fields 'status' or 'forced_down' should be specified.")
    assert nova_admin.nova("PUT", "/os-services/bogus", {"status": "enabled"}).json()[
        "badRequest"]["message"] == "Invalid uuid bogus"
    conductor = [s for s in _services(nova_admin) if s["binary"] == "nova-conductor"][0]
    refused = nova_admin.nova("PUT", f"/os-services/{conductor['id']}", {"status": "disabled"})
    assert refused.json()["badRequest"]["message"] == (
        "Updating a nova-conductor service is not supported. Only nova-compute services "
        "can be updated.")
    enabled = nova_admin.nova("PUT", f"/os-services/{svc['id']}", {"status": "enabled"})
    assert enabled.json()["service"]["status"] == "enabled"
    assert enabled.json()["service"]["disabled_reason"] is None


def test_openstacksdk_disables_with_a_reason(devcloud, cloud, three_hosts):
    conn = cloud.connect("admin")
    (svc,) = [s for s in conn.compute.services(host="compute02")]
    conn.compute.disable_service(svc, disabled_reason="maintenance")
    (after,) = [s for s in conn.compute.services(host="compute02")]
    assert (after.status, after.disabled_reason) == ("disabled", "maintenance")
    conn.compute.enable_service(svc)
    (after,) = [s for s in conn.compute.services(host="compute02")]
    assert (after.status, after.disabled_reason) == ("enabled", None)


def test_a_stopped_heartbeat_is_down(devcloud, nova_admin, neutron_admin, three_hosts):
    devcloud.admin_api("POST", "services", {"host": "compute02", "binary": "nova-compute",
                                            "alive": False})
    devcloud.admin_api("POST", "services", {"host": "compute02",
                                            "binary": "neutron-openvswitch-agent",
                                            "alive": False})
    svc = _compute(nova_admin, "compute02")
    assert (svc["state"], svc["status"], svc["forced_down"]) == ("down", "enabled", False)
    assert _compute(nova_admin, "devcloud")["state"] == "up"
    (hv,) = [h for h in nova_admin.nova("GET", "/os-hypervisors").json()["hypervisors"]
             if h["hypervisor_hostname"] == "compute02"]
    assert hv["state"] == "down"
    (agent,) = [a for a in neutron_admin.ok("GET", "/agents")["agents"]
                if a["host"] == "compute02"]
    assert agent["alive"] is False and " " in agent["heartbeat_timestamp"]
    devcloud.admin_api("POST", "services", {"host": "compute02", "binary": "nova-compute",
                                            "alive": True})
    assert _compute(nova_admin, "compute02")["state"] == "up"


def test_forced_down(devcloud, nova_admin, three_hosts):
    svc = _compute(nova_admin, "compute01")
    forced = nova_admin.nova("PUT", f"/os-services/{svc['id']}", {"forced_down": True})
    assert forced.json()["service"]["state"] == "down"
    assert forced.json()["service"]["forced_down"] is True
    nova_admin.nova("PUT", f"/os-services/{svc['id']}", {"forced_down": False})
    assert _compute(nova_admin, "compute01")["state"] == "up"
