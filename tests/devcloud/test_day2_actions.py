"""os-instance-actions for the day-2 actions (Nova's event names, fields by microversion),
a server's os-security-groups, and a day-2 action caught by a devcloud restart."""

import pytest

from devcloud import testing

from .day2 import boot, connect, wait
from .nova import Client


@pytest.fixture(scope="module")
def demo(devcloud):
    return connect(devcloud, "demo")


@pytest.fixture(scope="module")
def admin(devcloud):
    return connect(devcloud, "admin")


@pytest.fixture
def server(demo):
    server = boot(demo, "day2-actions", network_id=demo.network.find_network("private").id)
    yield server
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=30, interval=0.1)


def _show(conn, server, request_id: str, mv: str) -> dict:
    path = f"/servers/{server.id}/os-instance-actions/{request_id}"
    return conn.compute.get(path, microversion=mv).json()["instanceAction"]


def test_actions_carry_novas_events(demo, admin, server):
    demo.compute.suspend_server(server)
    wait(demo, server, "SUSPENDED")
    demo.compute.resume_server(server)
    wait(demo, server, "ACTIVE")
    demo.compute.lock_server(server)
    demo.compute.unlock_server(server)
    listed = list(demo.compute.server_actions(server))
    assert [a.action for a in listed] == ["unlock", "lock", "resume", "suspend", "create"]
    by_action = {a.action: a.request_id for a in listed}
    for action, event in (("suspend", "compute_suspend_instance"), ("lock", "api_lock"),
                          ("create", "compute__do_build_and_run_instance")):
        shown = _show(demo, server, by_action[action], "2.100")
        (ev,) = shown["events"]
        assert set(ev) == {"event", "start_time", "finish_time", "result", "hostId"}
        assert (ev["event"], ev["result"]) == (event, "Success")
    as_admin = _show(admin, server, by_action["suspend"], "2.100")["events"][0]
    assert set(as_admin) == {"event", "start_time", "finish_time", "result", "traceback",
                             "host", "hostId", "details"}
    old = _show(demo, server, by_action["suspend"], "2.50")
    assert "events" not in old and "updated_at" not in old      # events 2.51, updated_at 2.58
    assert "hostId" not in _show(demo, server, by_action["suspend"], "2.58")["events"][0]


def test_resize_events_newest_first(admin, demo, server):
    demo.compute.resize_server(server, "2")
    wait(demo, server, "VERIFY_RESIZE")
    demo.compute.revert_server_resize(server)
    wait(demo, server, "ACTIVE")
    actions = {a.action: a.request_id for a in demo.compute.server_actions(server)}
    events = [e["event"] for e in _show(admin, server, actions["resize"], "2.100")["events"]]
    assert events == ["compute_finish_resize", "compute_resize_instance",
                      "compute_prep_resize", "cold_migrate", "conductor_migrate_server"]
    reverted = _show(admin, server, actions["revertResize"], "2.100")["events"]
    assert [e["event"] for e in reverted] == ["compute_finish_revert_resize",
                                              "compute_revert_resize"]


def test_server_security_groups_in_novas_format(demo, server):
    groups = demo.compute.get(f"/servers/{server.id}/os-security-groups").json()
    (group,) = groups["security_groups"]
    assert (group["name"], group["tenant_id"]) == ("default", demo.current_project_id)
    assert len(group["rules"]) == 2          # the ingress rules (IPv4, IPv6); egress not shown
    for rule in group["rules"]:
        assert rule["group"] == {"name": "default", "tenant_id": demo.current_project_id}
        assert (rule["ip_protocol"], rule["from_port"], rule["ip_range"]) == (None, None, {})


def test_an_action_caught_by_a_restart_finishes_after_it(tmp_path):
    state = tmp_path / "state"
    with testing.running(state, "--build-delay", "0.3") as dc:
        client = Client(dc, "demo")
        server = client.boot("caught-resize")[0]
        client.wait(server["id"], "ACTIVE")
        dc.admin_api("POST", "config", {"build_delay": 60})
        resp = client.nova("POST", f"/servers/{server['id']}/action",
                           {"resize": {"flavorRef": "2"}})
        assert resp.status_code == 202
        caught = client.nova("GET", f"/servers/{server['id']}").json()["server"]
        assert caught["OS-EXT-STS:task_state"] == "resize_prep"
        port = dc.port
    with testing.running(state, "--build-delay", "0.3", port=port, reset=False) as dc:
        client = Client(dc, "demo")
        resized = client.wait(server["id"], "VERIFY_RESIZE", timeout=10)
        assert resized["flavor"]["original_name"] == "m1.small"
        client.delete_all([resized])
