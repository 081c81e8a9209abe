"""Nova servers in devcloud, checked over raw HTTP against what a real Nova answers."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from .nova import Client


def test_version_documents_and_microversion_headers(nova_demo):
    root = nova_demo.call("GET", "/compute/", mv=None).json()
    assert [v["id"] for v in root["versions"]] == ["v2.0", "v2.1"]
    assert root["versions"][1]["version"] == "2.104"
    resp = nova_demo.nova("GET", "/flavors", mv="2.60")
    assert resp.headers["OpenStack-API-Version"] == "compute 2.60"
    assert resp.headers["X-OpenStack-Nova-API-Version"] == "2.60"
    assert "OpenStack-API-Version" in resp.headers["Vary"]
    assert nova_demo.nova("GET", "/flavors", mv=None).headers["OpenStack-API-Version"] == \
        "compute 2.1"
    assert nova_demo.nova("GET", "/flavors", mv="latest").headers["X-OpenStack-Nova-API-Version"] \
        == "2.104"
    too_high = nova_demo.nova("GET", "/flavors", mv="2.200")
    assert too_high.status_code == 406
    assert too_high.json() == {"computeFault": {"code": 406, "message": (
        "Version 2.200 is not supported by the API. Minimum is 2.1 and maximum is 2.104.")}}
    garbage = nova_demo.nova("GET", "/flavors", mv="abc")
    assert garbage.status_code == 400
    assert garbage.json()["badRequest"]["message"].startswith("API Version String abc")


def test_create_with_count_names_and_build_to_active(nova_demo):
    resp = nova_demo.nova("POST", "/servers", {"server": {
        "name": "cnt", "flavorRef": "1", "imageRef": nova_demo.cirros(), "networks": "none",
        "min_count": 2, "max_count": 2, "metadata": {"k": "v"}}})
    assert resp.status_code == 202
    created = resp.json()["server"]
    assert set(created) == {"id", "links", "OS-DCF:diskConfig", "security_groups",
                            "adminPass"}
    assert resp.headers["Location"].endswith(f"/compute/v2.1/servers/{created['id']}")
    first = nova_demo.nova("GET", f"/servers/{created['id']}").json()["server"]
    assert first["status"] == "BUILD"
    assert first["OS-EXT-STS:vm_state"] == "building"
    assert first["addresses"] == {}
    rid_servers = nova_demo.nova("GET", "/servers/detail?name=^cnt-").json()["servers"]
    assert sorted(s["name"] for s in rid_servers) == ["cnt-1", "cnt-2"]
    active = nova_demo.wait(created["id"], "ACTIVE")
    assert active["OS-EXT-STS:power_state"] == 1
    assert active["OS-SRV-USG:launched_at"]
    assert active["OS-EXT-AZ:availability_zone"] == "nova"
    assert active["hostId"] and active["updated"] >= first["updated"]
    assert active["flavor"]["original_name"] == "m1.tiny"
    assert active["image"]["properties"] == {}
    assert active["metadata"] == {"k": "v"}
    assert "OS-EXT-SRV-ATTR:host" not in active           # admin only
    assert active["OS-EXT-SRV-ATTR:hostname"] == active["name"]  # everyone since 2.90
    nova_demo.delete_all(rid_servers)


def test_fields_follow_the_microversion(nova_demo, nova_admin):
    server = nova_demo.boot("mvcheck")[0]
    old = nova_demo.nova("GET", f"/servers/{server['id']}", mv="2.1").json()["server"]
    assert set(old["flavor"]) == {"id", "links"} and old["flavor"]["id"] == "1"
    assert "locked" not in old and "description" not in old and "tags" not in old
    assert "properties" not in old["image"]
    as_admin = nova_admin.nova("GET", f"/servers/{server['id']}").json()["server"]
    assert as_admin["OS-EXT-SRV-ATTR:instance_name"].startswith("instance-")
    assert as_admin["OS-EXT-SRV-ATTR:reservation_id"].startswith("r-")
    assert as_admin["server_groups"] == []      # show only, 2.71+
    detail = nova_admin.nova("GET", "/servers/detail?all_tenants=1&name=^mvcheck$").json()
    assert "server_groups" not in detail["servers"][0]
    nova_demo.delete_all([server])


def test_return_reservation_id(nova_demo):
    resp = nova_demo.nova("POST", "/servers", {"server": {
        "name": "rsv", "flavorRef": "1", "imageRef": nova_demo.cirros(), "networks": "none",
        "return_reservation_id": True}})
    assert resp.status_code == 202
    rid = resp.json()["reservation_id"]
    assert list(resp.json()) == ["reservation_id"] and rid.startswith("r-")
    found = nova_demo.nova("GET", f"/servers?reservation_id={rid}").json()["servers"]
    assert [s["name"] for s in found] == ["rsv"]
    nova_demo.delete_all(found)


@pytest.mark.parametrize("change,status,key,message", [
    ({"flavorRef": "999"}, 400, "badRequest", "Flavor 999 could not be found."),
    ({"imageRef": "11111111-1111-1111-1111-111111111111"}, 400, "badRequest",
     "Can not find requested image"),
    ({"key_name": "nokey"}, 400, "badRequest", "Invalid key_name provided."),
    ({"min_count": 3, "max_count": 2}, 400, "badRequest", "min_count must be <= max_count"),
    ({"networks": [{"uuid": "11111111-1111-1111-1111-111111111111"}]}, 400, "badRequest",
     "Network 11111111-1111-1111-1111-111111111111 could not be found."),
    ({"security_groups": [{"name": "nosuch"}]}, 400, "badRequest",
     "Unable to find security_group with name or id 'nosuch'"),
])
def test_bad_create_requests_get_novas_errors(nova_demo, change, status, key, message):
    body = {"name": "bad", "flavorRef": "1", "imageRef": nova_demo.cirros(), "networks": "none",
            **change}
    resp = nova_demo.nova("POST", "/servers", {"server": body})
    assert resp.status_code == status
    assert resp.json() == {key: {"code": status, "message": message}}


def test_networks_is_required_from_2_37(nova_demo):
    resp = nova_demo.nova("POST", "/servers", {"server": {
        "name": "x", "flavorRef": "1", "imageRef": nova_demo.cirros()}})
    assert resp.status_code == 400
    assert resp.json()["badRequest"]["message"].endswith("'networks' is a required property")


def test_reader_may_not_create(devcloud):
    reader = Client(devcloud, "reader")
    resp = reader.nova("POST", "/servers", {"server": {
        "name": "r", "flavorRef": "1", "imageRef": reader.cirros(), "networks": "none"}})
    assert resp.status_code == 403
    assert resp.json() == {"forbidden": {"code": 403, "message": (
        "Policy doesn't allow os_compute_api:servers:create to be performed.")}}


def test_other_projects_servers_are_404(devcloud):
    alice, bob = Client(devcloud, "alice"), Client(devcloud, "bob")
    server = alice.boot("alices")[0]
    missing = {"itemNotFound": {"code": 404,
                                "message": f"Instance {server['id']} could not be found."}}
    for method, path, body in [("GET", "", None), ("DELETE", "", None),
                               ("POST", "/action", {"os-stop": None}),
                               ("GET", "/metadata", None)]:
        resp = bob.nova(method, f"/servers/{server['id']}{path}", body)
        assert (resp.status_code, resp.json()) == (404, missing)
    assert server["id"] not in [s["id"] for s in bob.nova("GET", "/servers").json()["servers"]]
    # project_id filters are ignored for non-admins, as in Nova
    listed = bob.nova("GET", f"/servers?project_id={alice.project_id()}").json()["servers"]
    assert server["id"] not in [s["id"] for s in listed]
    alice.delete_all([server])


def test_all_tenants_is_admin_only(devcloud, nova_demo, nova_admin):
    alice = Client(devcloud, "alice")
    server = alice.boot("alltenants")[0]
    resp = nova_demo.nova("GET", "/servers/detail?all_tenants=1")
    assert resp.status_code == 403
    assert resp.json()["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be performed.")
    ids = [s["id"] for s in nova_admin.nova("GET", "/servers?all_tenants=1").json()["servers"]]
    assert server["id"] in ids
    own = [s["id"] for s in nova_admin.nova("GET", "/servers").json()["servers"]]
    assert server["id"] not in own
    by_project = nova_admin.nova(
        "GET", f"/servers/detail?all_tenants=1&project_id={alice.project_id()}").json()
    assert {s["tenant_id"] for s in by_project["servers"]} == {alice.project_id()}
    alice.delete_all([server])


def test_paging_with_limit_and_marker(nova_demo):
    servers = nova_demo.boot("page", min_count=3, max_count=3)
    first = nova_demo.nova("GET", "/servers?name=^page-&limit=2").json()
    assert len(first["servers"]) == 2
    link = first["servers_links"][0]
    assert link["rel"] == "next" and f"marker={first['servers'][1]['id']}" in link["href"]
    rest = nova_demo.nova("GET", "/servers?name=^page-&limit=2&marker="
                          f"{first['servers'][1]['id']}").json()
    assert len(rest["servers"]) == 1 and "servers_links" not in rest
    names = [s["name"] for s in first["servers"] + rest["servers"]]
    assert names == ["page-3", "page-2", "page-1"]   # newest first, as Nova sorts
    bad = nova_demo.nova("GET", "/servers?marker=nonexist")
    assert bad.json() == {"badRequest": {"code": 400, "message": "marker [nonexist] not found"}}
    neg = nova_demo.nova("GET", "/servers?limit=-1")
    assert neg.status_code == 400
    nova_demo.delete_all(servers)


def test_deleted_servers_show_in_changes_since(nova_demo):
    since = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    server = nova_demo.boot("gone")[0]
    nova_demo.wait(server["id"], "ACTIVE")
    assert nova_demo.nova("DELETE", f"/servers/{server['id']}").status_code == 204
    nova_demo.wait(server["id"], "GONE")
    changed = nova_demo.nova("GET", f"/servers/detail?changes-since={since}").json()["servers"]
    tomb = [s for s in changed if s["id"] == server["id"]]
    assert tomb and tomb[0]["status"] == "DELETED"
    assert tomb[0]["OS-EXT-STS:vm_state"] == "deleted"
    assert tomb[0]["OS-SRV-USG:terminated_at"]
    plain = nova_demo.nova("GET", "/servers").json()["servers"]
    assert server["id"] not in [s["id"] for s in plain]
    bad = nova_demo.nova("GET", "/servers?changes-since=garbage")
    assert bad.json()["badRequest"]["message"] == (
        "Invalid input for query parameters changes-since. Value: garbage. 'garbage' is not "
        "a 'date-time'")


def test_status_and_name_filters(nova_demo):
    servers = nova_demo.boot("filt", min_count=2, max_count=2)
    for s in servers:
        nova_demo.wait(s["id"], "ACTIVE")
    nova_demo.nova("POST", f"/servers/{servers[0]['id']}/action", {"os-stop": None})
    nova_demo.wait(servers[0]["id"], "SHUTOFF")
    shutoff = nova_demo.nova("GET", "/servers?status=shutoff&name=filt").json()["servers"]
    assert [s["id"] for s in shutoff] == [servers[0]["id"]]
    assert nova_demo.nova("GET", "/servers?status=FOO").json() == {
        "badRequest": {"code": 400, "message": "Invalid status value"}}
    # Nova's REGEXP on MariaDB is case-insensitive (a real Nova 34 lists "lv-probe" for
    # name=LV-PROBE).
    upper = nova_demo.nova("GET", "/servers?name=^FILT").json()["servers"]
    assert {s["id"] for s in upper} == {s["id"] for s in servers}
    nova_demo.delete_all(servers)


def test_status_filter_maps_to_vm_and_task_states_as_nova_does(nova_demo):
    """Nova turns status= into vm_states (and task_states unless a plain status is among
    them): status=ACTIVE lists a server that is rebooting (vm_state active), REBOOT only
    a soft reboot's task states (nova/api/openstack/common.py)."""
    server = nova_demo.boot("rebooting")[0]
    sid = server["id"]
    nova_demo.wait(sid, "ACTIVE")
    nova_demo.nova("POST", f"/servers/{sid}/action", {"reboot": {"type": "HARD"}})

    def listed(status):
        found = nova_demo.nova("GET", f"/servers?name=^rebooting$&status={status}").json()
        return [s["id"] for s in found["servers"]]

    assert nova_demo.nova("GET", f"/servers/{sid}").json()["server"]["status"] == \
        "HARD_REBOOT"
    assert listed("HARD_REBOOT") == [sid]
    assert listed("ACTIVE") == [sid]
    assert listed("REBOOT") == []
    assert listed("SHUTOFF") == []
    nova_demo.wait(sid, "ACTIVE")
    assert listed("HARD_REBOOT") == []
    nova_demo.delete_all([server])


def test_power_actions_and_conflicts(nova_demo):
    server = nova_demo.boot("power")[0]
    sid = server["id"]
    nova_demo.wait(sid, "ACTIVE")
    assert nova_demo.nova("POST", f"/servers/{sid}/action", {"os-stop": None}).status_code == 202
    assert nova_demo.wait(sid, "SHUTOFF")["OS-EXT-STS:power_state"] == 4
    again = nova_demo.nova("POST", f"/servers/{sid}/action", {"os-stop": None})
    assert again.json() == {"conflictingRequest": {"code": 409, "message": (
        f"Cannot 'stop' instance {sid} while it is in vm_state stopped")}}
    nova_demo.nova("POST", f"/servers/{sid}/action", {"os-start": None})
    nova_demo.wait(sid, "ACTIVE")
    nova_demo.nova("POST", f"/servers/{sid}/action", {"reboot": {"type": "HARD"}})
    during = nova_demo.nova("GET", f"/servers/{sid}").json()["server"]
    assert during["status"] == "HARD_REBOOT"
    assert during["OS-EXT-STS:task_state"] == "rebooting_hard"
    nova_demo.wait(sid, "ACTIVE")
    bad = nova_demo.nova("POST", f"/servers/{sid}/action", {"reboot": {"type": "X"}})
    assert bad.status_code == 400
    actions = nova_demo.nova("GET", f"/servers/{sid}/os-instance-actions").json()
    assert [a["action"] for a in actions["instanceActions"]] == [
        "reboot", "start", "stop", "create"]
    nova_demo.delete_all([server])


def test_console_output_and_length(nova_demo):
    server = nova_demo.boot("log")[0]
    nova_demo.wait(server["id"], "ACTIVE")
    out = nova_demo.nova("POST", f"/servers/{server['id']}/action",
                         {"os-getConsoleOutput": {}}).json()["output"]
    assert "Linux version" in out and out.rstrip().endswith("login:")
    tail = nova_demo.nova("POST", f"/servers/{server['id']}/action",
                          {"os-getConsoleOutput": {"length": 2}}).json()["output"]
    assert tail.splitlines() == out.splitlines()[-2:]
    nova_demo.delete_all([server])


def test_server_metadata(nova_demo):
    server = nova_demo.boot("meta", metadata={"a": "1"})[0]
    nova_demo.wait(server["id"], "ACTIVE")  # Nova changes metadata of built servers only
    base = f"/servers/{server['id']}/metadata"
    assert nova_demo.nova("POST", base, {"metadata": {"b": "2"}}).json() == {
        "metadata": {"a": "1", "b": "2"}}
    assert nova_demo.nova("PUT", f"{base}/c", {"meta": {"c": "3"}}).json() == {"meta": {"c": "3"}}
    assert nova_demo.nova("DELETE", f"{base}/a").status_code == 204
    assert nova_demo.nova("GET", f"{base}/a").json() == {
        "itemNotFound": {"code": 404, "message": "Metadata item was not found"}}
    assert nova_demo.nova("PUT", base, {"metadata": {"z": "9"}}).json() == {"metadata": {"z": "9"}}
    nova_demo.delete_all([server])


@pytest.mark.devcloud_only
def test_fault_injected_server_ends_in_error(devcloud, nova_demo):
    devcloud.admin_api("POST", "faults", {"error_servers": 1,
                                          "message": "Injected spawn failure"})
    server = nova_demo.boot("broken")[0]
    failed = nova_demo.wait(server["id"], "ERROR")
    assert failed["fault"]["code"] == 500
    assert failed["fault"]["message"] == "Injected spawn failure"
    assert failed["fault"]["created"]
    assert failed["OS-EXT-STS:vm_state"] == "error"
    ok = nova_demo.boot("fine")[0]
    assert nova_demo.wait(ok["id"], "ACTIVE")
    nova_demo.delete_all([server, ok])


def test_no_valid_host_fault_has_no_host(devcloud, nova_admin, nova_demo):
    devcloud.admin_api("POST", "faults", {"error_servers": 1})
    server = nova_demo.boot("nohost")[0]
    nova_demo.wait(server["id"], "ERROR")
    seen = nova_admin.nova("GET", f"/servers/{server['id']}").json()["server"]
    assert seen["fault"]["message"].startswith("No valid host was found.")
    assert seen["OS-EXT-SRV-ATTR:host"] is None and seen["hostId"] == ""
    nova_demo.delete_all([server])


def test_sdk_boot_wait_and_delete(clouds_env):
    import openstack

    conn = openstack.connect(cloud="devcloud-demo")
    image = conn.image.find_image("cirros")
    flavor = conn.compute.find_flavor("m1.tiny")
    server = conn.compute.create_server(name="sdk-vm", image_id=image.id,
                                        flavor_id=flavor.id, networks="none")
    server = conn.compute.wait_for_server(server, status="ACTIVE", wait=20, interval=0.2)
    assert server.status == "ACTIVE" and server.flavor.original_name == "m1.tiny"
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=20, interval=0.2)
    assert conn.compute.find_server("sdk-vm") is None
    # the quota usage of deletions is released
    time.sleep(0.1)
