"""Nova state survives a devcloud restart: servers, tombstones, quotas, key pairs; a server
caught in BUILD by the restart finishes booting afterwards."""

from devcloud import testing

from .nova import Client


def test_restart_keeps_servers_and_finishes_builds(tmp_path):
    state = tmp_path / "state"
    with testing.running(state, "--build-delay", "0.3") as dc:
        client = Client(dc, "demo")
        done = client.boot("kept")[0]
        client.wait(done["id"], "ACTIVE")
        gone = client.boot("tomb")[0]
        client.delete_all([gone])
        dc.admin_api("POST", "config", {"build_delay": 60})
        caught = client.boot("caught")[0]
        port = dc.port
    with testing.running(state, "--build-delay", "0.3", port=port, reset=False) as dc:
        client = Client(dc, "demo")
        assert client.wait(done["id"], "ACTIVE")["name"] == "kept"
        assert client.wait(caught["id"], "ACTIVE", timeout=10)["name"] == "caught"
        changed = client.nova("GET", "/servers?changes-since=2000-01-01T00:00:00Z").json()
        assert gone["id"] in [s["id"] for s in changed["servers"]]
        actions = client.nova("GET", f"/servers/{done['id']}/os-instance-actions").json()
        assert [a["action"] for a in actions["instanceActions"]] == ["create"]
        client.delete_all([client.nova("GET", f"/servers/{done['id']}").json()["server"],
                           client.nova("GET", f"/servers/{caught['id']}").json()["server"]])
