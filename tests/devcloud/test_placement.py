"""devcloud's Placement: the compute host as the one resource provider, answering as the
real 2026.2 Placement does (answers recorded from it, compared field by field), with usages
that follow the servers on the host, and openstacksdk's placement proxy on top."""

import json

import pytest
import requests

from devcloud import testing
from tests.devcloud.placement_cases import CASES, RECORDED, ZERO, ask, case_id

from .nova import Client

REAL = json.loads(RECORDED.read_text())["answers"]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A devcloud of its own: usages are exact only when no other test's server is there."""
    with testing.running(tmp_path_factory.mktemp("placement") / "state",
                         "--build-delay", "0.2") as cloud:
        admin, demo = Client(cloud, "admin"), Client(cloud, "demo")
        hypervisor = admin.nova("GET", "/os-hypervisors/detail", mv="2.53").json()
        names = {"rp": hypervisor["hypervisors"][0]["id"],
                 "rp_name": hypervisor["hypervisors"][0]["hypervisor_hostname"],
                 "zero": ZERO, "project": demo.project_id()}
        yield cloud, {"admin": admin.token, "demo": demo.token}, names


def placement(cloud) -> str:
    return f"{cloud.base_url}/placement"


def test_the_catalog_has_placement(devcloud):
    token = devcloud.token("demo")
    body = requests.get(f"{devcloud.auth_url}/auth/catalog",
                        headers={"X-Auth-Token": token}, timeout=10).json()
    (entry,) = [e for e in body["catalog"] if e["type"] == "placement"]
    assert entry["name"] == "placement"
    assert {e["url"] for e in entry["endpoints"]} == {f"{devcloud.base_url}/placement"}
    assert {e["interface"] for e in entry["endpoints"]} == {"public", "internal", "admin"}


def test_a_missing_token_gets_keystonemiddlewares_challenge(devcloud):
    resp = requests.get(f"{devcloud.base_url}/placement/resource_providers", timeout=10)
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"] == f'Keystone uri="{devcloud.base_url}"'


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_answers_as_the_real_placement(fresh, case):
    cloud, tokens, names = fresh
    assert ask(placement(cloud), tokens, names, case) == REAL[case_id(case)]


def _get(cloud, token, path, version="1.39"):
    resp = requests.get(placement(cloud) + path, timeout=10, headers={
        "X-Auth-Token": token, "OpenStack-API-Version": f"placement {version}"})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_usages_follow_the_servers_on_the_host(fresh):
    cloud, tokens, names = fresh
    admin, demo = Client(cloud, "admin"), Client(cloud, "demo")
    rp = f"/resource_providers/{names['rp']}"
    before = _get(cloud, tokens["admin"], rp)["generation"]
    # Idle, a real Nova already counts its reserved_host_memory_mb (512) as used.
    (idle,) = admin.nova("GET", "/os-hypervisors/detail", mv="2.87").json()["hypervisors"]
    assert (idle["memory_mb_used"], idle["free_ram_mb"]) == (512, idle["memory_mb"] - 512)
    flavor = admin.nova("GET", "/flavors/2").json()["flavor"]          # m1.small
    servers = demo.boot("placed", flavorRef="2", min_count=2)
    for server in servers:
        demo.wait(server["id"], "ACTIVE")
    try:
        used = _get(cloud, tokens["admin"], f"{rp}/usages")
        assert used["usages"] == {"VCPU": 2 * flavor["vcpus"], "MEMORY_MB": 2 * flavor["ram"],
                                  "DISK_GB": 2 * flavor["disk"]}
        assert used["resource_provider_generation"] > before
        # Nova's hypervisor view counts the same servers (and the host's reserved memory).
        (hv,) = admin.nova("GET", "/os-hypervisors/detail", mv="2.87").json()["hypervisors"]
        inventory = _get(cloud, tokens["admin"], f"{rp}/inventories")["inventories"]
        assert (hv["vcpus_used"], hv["memory_mb_used"], hv["local_gb_used"]) == (
            used["usages"]["VCPU"],
            used["usages"]["MEMORY_MB"] + inventory["MEMORY_MB"]["reserved"],
            used["usages"]["DISK_GB"])
        assert hv["free_ram_mb"] == hv["memory_mb"] - hv["memory_mb_used"]
        allocations = _get(cloud, tokens["admin"], f"{rp}/allocations")["allocations"]
        assert allocations == {s["id"]: {"resources": {
            "VCPU": flavor["vcpus"], "MEMORY_MB": flavor["ram"], "DISK_GB": flavor["disk"]}}
            for s in servers}
        project = f"/usages?project_id={names['project']}"
        assert _get(cloud, tokens["demo"], project, "1.9")["usages"] == used["usages"]
        # From 1.38 by consumer type: Nova claims without one, so Placement says "unknown".
        assert _get(cloud, tokens["demo"], project, "1.38")["usages"] == {"unknown": {
            "VCPU": 2 * flavor["vcpus"], "consumer_count": 2,
            "MEMORY_MB": 2 * flavor["ram"], "DISK_GB": 2 * flavor["disk"]}}
        assert _get(cloud, tokens["admin"], "/usages?project_id=someone-else",
                    "1.9")["usages"] == {}
    finally:
        demo.delete_all(servers)
    assert _get(cloud, tokens["admin"], f"{rp}/usages")["usages"] == {
        "VCPU": 0, "MEMORY_MB": 0, "DISK_GB": 0}
    assert _get(cloud, tokens["admin"], f"{rp}/allocations")["allocations"] == {}


def test_openstacksdk_placement_proxy(cloud):
    """What the portal and the CLI's SDK ask of Placement, on whichever cloud runs."""
    conn = cloud.connect("admin")
    hypervisors = {h.id: h.name for h in conn.compute.hypervisors()}
    providers = list(conn.placement.resource_providers())
    assert {p.id: p.name for p in providers} == hypervisors
    provider = conn.placement.get_resource_provider(providers[0].id)
    assert provider.name == providers[0].name
    assert provider.root_provider_id == provider.id and provider.parent_provider_id is None
    inventories = {i.resource_class: i for i in
                   conn.placement.resource_provider_inventories(provider)}
    assert {"VCPU", "MEMORY_MB", "DISK_GB"} <= set(inventories)
    vcpu = inventories["VCPU"]
    assert vcpu.total > 0 and vcpu.allocation_ratio > 0 and vcpu.min_unit == 1
    assert vcpu.resource_provider_generation == provider.generation
    usages = conn.placement.fetch_resource_provider_usages(provider).usages
    assert set(usages) == set(inventories)
    assert all(isinstance(v, int) and v >= 0 for v in usages.values())
    project = conn.identity.find_project("demo").id
    for usage in conn.placement.usages(project_id=project):
        if not usage.resources:  # no allocations: the SDK yields one empty, untyped Usage
            assert usage.consumer_type is None
            continue
        assert usage.consumer_type in ("unknown", "INSTANCE")
        assert set(usage.resources) <= set(inventories) and usage.consumer_count >= 1
