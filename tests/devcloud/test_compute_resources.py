"""Nova's other resources in devcloud: quotas and limits, flavors, key pairs, services,
hypervisors, zones, consoles - bodies as a real Nova returns them."""

import pytest


@pytest.fixture
def beta_quota(nova_admin, nova_bob):
    """Quota overrides on project beta, removed afterwards."""
    project = nova_bob.project_id()

    def set_quota(**values):
        resp = nova_admin.nova("PUT", f"/os-quota-sets/{project}", {"quota_set": values})
        assert resp.status_code == 200, resp.text
    yield set_quota
    nova_admin.nova("DELETE", f"/os-quota-sets/{project}")


def test_instance_quota_refusal_body(nova_bob, beta_quota):
    beta_quota(instances=2)
    body = {"name": "q", "flavorRef": "1", "imageRef": nova_bob.cirros(), "networks": "none",
            "min_count": 3, "max_count": 3}
    resp = nova_bob.nova("POST", "/servers", {"server": body})
    assert resp.status_code == 403
    assert resp.json() == {"forbidden": {"code": 403, "message": (
        "Quota exceeded for instances: Requested 3, but already used 0 of 2 instances")}}


def test_over_quota_for_max_but_not_min_creates_what_fits(nova_bob, beta_quota):
    beta_quota(instances=2)
    servers = nova_bob.boot("fits", min_count=1, max_count=5)
    assert [s["name"] for s in servers] == ["fits-1", "fits-2"]
    limits = nova_bob.nova("GET", "/limits").json()["limits"]["absolute"]
    assert (limits["totalInstancesUsed"], limits["maxTotalInstances"]) == (2, 2)
    resp = nova_bob.nova("POST", "/servers", {"server": {
        "name": "more", "flavorRef": "1", "imageRef": nova_bob.cirros(), "networks": "none"}})
    assert resp.json()["forbidden"]["message"] == (
        "Quota exceeded for instances: Requested 1, but already used 2 of 2 instances")
    nova_bob.delete_all(servers)


def test_several_resources_over_quota(nova_bob, beta_quota):
    beta_quota(instances=10, cores=20)
    resp = nova_bob.nova("POST", "/servers", {"server": {
        "name": "many", "flavorRef": "1", "imageRef": nova_bob.cirros(), "networks": "none",
        "min_count": 30, "max_count": 30}})
    assert resp.json()["forbidden"]["message"] == (
        "Quota exceeded for cores, instances: Requested 30, 30, but already used 0, 0 of "
        "20, 10 cores, instances")


def test_quota_sets_by_microversion_and_policy(nova_admin, nova_bob):
    project = nova_bob.project_id()
    new = nova_bob.nova("GET", f"/os-quota-sets/{project}").json()["quota_set"]
    assert new == {"id": project, "cores": 20, "instances": 10, "key_pairs": 100,
                   "metadata_items": 128, "ram": 51200, "server_group_members": 10,
                   "server_groups": 10}
    old = nova_bob.nova("GET", f"/os-quota-sets/{project}", mv="2.1").json()["quota_set"]
    assert old["floating_ips"] == -1 and old["injected_files"] == 5
    detail = nova_bob.nova("GET", f"/os-quota-sets/{project}/detail").json()["quota_set"]
    assert detail["instances"] == {"limit": 10, "in_use": 0, "reserved": 0}
    other = nova_bob.nova("GET", f"/os-quota-sets/{nova_admin.project_id()}")
    assert other.json() == {"forbidden": {"code": 403, "message": (
        "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.")}}
    update = nova_bob.nova("PUT", f"/os-quota-sets/{project}", {"quota_set": {"instances": 99}})
    assert update.json()["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.")


def test_limits_by_microversion(nova_bob):
    new = nova_bob.nova("GET", "/limits").json()["limits"]
    assert new["rate"] == [] and set(new["absolute"]) == {
        "maxTotalCores", "maxTotalInstances", "maxTotalKeypairs", "maxServerMeta",
        "maxTotalRAMSize", "maxServerGroups", "maxServerGroupMembers", "totalRAMUsed",
        "totalCoresUsed", "totalInstancesUsed", "totalServerGroupsUsed"}
    old = nova_bob.nova("GET", "/limits", mv="2.1").json()["limits"]["absolute"]
    assert old["maxPersonality"] == 5 and old["maxTotalFloatingIps"] == -1


def test_flavors(nova_bob):
    listed = nova_bob.nova("GET", "/flavors").json()["flavors"]
    by_id = {f["id"]: f["name"] for f in listed}
    assert {k: by_id[k] for k in "12345"} == {"1": "m1.tiny", "2": "m1.small",
                                               "3": "m1.medium", "4": "m1.large",
                                               "5": "m1.xlarge"}
    tiny = nova_bob.nova("GET", "/flavors/1").json()["flavor"]
    assert (tiny["ram"], tiny["vcpus"], tiny["disk"], tiny["swap"]) == (512, 1, 1, 0)
    assert "rxtx_factor" not in tiny and tiny["extra_specs"] == {}
    old = nova_bob.nova("GET", "/flavors/1", mv="2.1").json()["flavor"]
    assert old["swap"] == "" and old["rxtx_factor"] == 1.0 and "description" not in old
    assert nova_bob.nova("GET", "/flavors/nope").json() == {
        "itemNotFound": {"code": 404, "message": "Flavor nope could not be found."}}


def test_keypairs_generate_import_list_delete(nova_bob):
    gen = nova_bob.nova("POST", "/os-keypairs", {"keypair": {"name": "gen"}}, mv="2.1")
    assert gen.status_code == 200
    key = gen.json()["keypair"]
    assert key["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert key["public_key"].endswith("Generated-by-Nova")
    assert len(key["fingerprint"].split(":")) == 16
    need_key = nova_bob.nova("POST", "/os-keypairs", {"keypair": {"name": "k2"}})
    assert need_key.json()["badRequest"]["message"].endswith(
        "'public_key' is a required property")
    pub = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl t@x"
    imported = nova_bob.nova("POST", "/os-keypairs",
                             {"keypair": {"name": "imp", "public_key": pub}})
    assert imported.status_code == 201
    # the MD5 fingerprint a real Nova computed for this very key
    assert imported.json()["keypair"]["fingerprint"] == \
        "65:96:2d:fc:e8:d5:a9:11:64:0c:0f:ea:00:6e:5b:bd"
    dup = nova_bob.nova("POST", "/os-keypairs", {"keypair": {"name": "imp", "public_key": pub}})
    assert dup.json() == {"conflictingRequest": {"code": 409,
                                                 "message": "Key pair 'imp' already exists."}}
    bad = nova_bob.nova("POST", "/os-keypairs", {"keypair": {"name": "bad", "public_key": "junk"}})
    assert bad.json()["badRequest"]["message"] == \
        "Keypair data is invalid: failed to generate fingerprint"
    names = [k["keypair"]["name"] for k in nova_bob.nova("GET", "/os-keypairs").json()["keypairs"]]
    assert names == ["gen", "imp"]
    server = nova_bob.boot("withkey", key_name="imp")[0]
    assert nova_bob.nova("GET", f"/servers/{server['id']}").json()["server"]["key_name"] == "imp"
    nova_bob.delete_all([server])
    for name in names:
        assert nova_bob.nova("DELETE", f"/os-keypairs/{name}").status_code == 204
    missing = nova_bob.nova("GET", "/os-keypairs/gen")
    assert missing.status_code == 404
    assert missing.json()["itemNotFound"]["message"].startswith("Keypair gen not found for user")


def test_services_hypervisors_zones(nova_admin, nova_bob):
    services = nova_admin.nova("GET", "/os-services").json()["services"]
    assert {s["binary"] for s in services} == {"nova-conductor", "nova-scheduler",
                                               "nova-compute"}
    assert all(s["state"] == "up" and s["status"] == "enabled" for s in services)
    assert nova_bob.nova("GET", "/os-services").json()["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:os-services:list to be performed.")
    hyp = nova_admin.nova("GET", "/os-hypervisors/detail").json()["hypervisors"][0]
    assert hyp["state"] == "up" and "uptime" in hyp and "vcpus" not in hyp
    old = nova_admin.nova("GET", "/os-hypervisors/detail", mv="2.53").json()["hypervisors"][0]
    assert old["vcpus"] > 0 and isinstance(old["cpu_info"], dict)
    zones = nova_bob.nova("GET", "/os-availability-zone").json()["availabilityZoneInfo"]
    assert zones == [{"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}]


def test_console_auth_tokens_are_admin_only(nova_admin, nova_bob):
    denied = nova_bob.nova("GET", "/os-console-auth-tokens/nope", mv="2.31")
    assert denied.json()["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:os-console-auth-tokens to be performed.")
    missing = nova_admin.nova("GET", "/os-console-auth-tokens/nope", mv="2.31")
    assert missing.json() == {"itemNotFound": {"code": 404, "message": "Token not found"}}


def test_remote_console_type_must_fit_protocol(nova_bob):
    server = nova_bob.boot("cons")[0]
    nova_bob.wait(server["id"], "ACTIVE")
    resp = nova_bob.nova("POST", f"/servers/{server['id']}/remote-consoles", {
        "remote_console": {"protocol": "vnc", "type": "spice-html5"}})
    assert resp.json() == {"badRequest": {"code": 400,
                                          "message": "Invalid console type spice-html5"}}
    nova_bob.delete_all([server])
