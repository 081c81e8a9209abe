"""Cross-project and reader rules on every vms URL: bob cannot see, act on or delete
alice's server by ID (404, nothing happens); a reader sees but cannot change."""

import pytest

from .helpers import launch_data, text, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def alices_server(cloud, networks, image_id):
    conn = cloud.connect("alice")
    server = conn.compute.create_server(name="vt-alice-own", flavor_id="1", image_id=image_id,
                                        networks=[{"uuid": networks["alice"]["network"].id}])
    server = conn.compute.wait_for_server(server, wait=60)
    yield server
    conn.compute.delete_server(server)
    wait_for(lambda: conn.compute.find_server(server.id, ignore_missing=True) is None,
             what="alice's server gone")


@pytest.mark.parametrize("who", ["bob", "admin"])
@pytest.mark.parametrize("method, path", [
    ("get", "/servers/{id}/"), ("get", "/servers/{id}/console-log/"),
    ("get", "/servers/{id}/delete/"), ("post", "/servers/{id}/delete/"),
    ("post", "/servers/{id}/actions/stop/"), ("post", "/servers/{id}/actions/reboot/"),
    ("post", "/servers/{id}/actions/hard_reboot/"), ("get", "/servers/{id}/deleted/"),
    ("post", "/servers/{id}/actions/pause/"), ("post", "/servers/{id}/actions/shelve/"),
    ("post", "/servers/{id}/actions/unlock/"), ("get", "/servers/{id}/lock/"),
    ("post", "/servers/{id}/lock/"), ("get", "/servers/{id}/rescue/"),
    ("post", "/servers/{id}/rescue/"),
])
def test_other_project_gets_404_everywhere(as_, alices_server, cloud, who, method, path):
    """admin's token can see every project's servers: the portal checks project_id."""
    client = as_(who)
    resp = getattr(client, method)(path.format(id=alices_server.id))
    assert resp.status_code == 404
    assert alices_server.name not in resp.content.decode()
    server = cloud.connect("alice").compute.get_server(alices_server.id)
    assert server.status == "ACTIVE" and server.task_state is None


def test_other_project_list_does_not_show_it(as_, alices_server):
    assert alices_server.id not in as_("bob").get("/servers/").content.decode()
    assert alices_server.id in as_("alice").get("/servers/").content.decode()


def test_launch_on_another_projects_network_is_refused(as_, networks, image_id):
    """A network ID the form did not offer (bob's) is a validation error, not a launch."""
    data = launch_data(networks["bob"]["network"].id, "vt-sneaky", image=image_id)
    resp = as_("alice").post("/servers/launch/", data)
    assert resp.status_code == 400
    assert "Select a valid choice" in text(resp)


def test_reader_sees_no_buttons_and_posts_are_refused(as_, cloud, networks, image_id):
    demo = cloud.connect("demo")
    net = demo.network.find_network("private") or demo.network.networks().__next__()
    server = demo.compute.create_server(name="vt-reader-view", flavor_id="1",
                                        image_id=image_id, networks=[{"uuid": net.id}])
    try:
        reader = as_("reader")
        page = reader.get(f"/servers/{server.id}/")
        assert page.status_code == 200
        body = page.content.decode()
        assert 'data-testid="actions"' not in body and 'data-testid="delete"' not in body
        # Nova refuses a reader the console log: not offered, and typed in, a clear 403.
        assert 'data-testid="console-log-link"' not in body
        log = reader.get(f"/servers/{server.id}/console-log/")
        assert log.status_code == 403
        assert "The cloud refused this for your role in this project (reader)" in text(log)
        assert 'data-testid="launch"' not in reader.get("/servers/").content.decode()
        assert reader.get("/servers/launch/").status_code == 403
        listing = reader.get("/servers/").content.decode()
        assert 'data-testid="row-menu"' not in listing and 'data-testid="bulk"' not in listing
        assert 'name="server"' not in listing
        for path in (f"/servers/{server.id}/delete/", f"/servers/{server.id}/actions/stop/",
                     f"/servers/{server.id}/lock/", f"/servers/{server.id}/rescue/",
                     "/servers/bulk/stop/", "/servers/launch/", "/servers/keypairs/",
                     "/servers/keypairs/anything/delete/"):
            assert reader.post(path, {"server": [server.id]}).status_code == 403, path
        for path in (f"/servers/{server.id}/lock/", f"/servers/{server.id}/rescue/"):
            assert reader.get(path).status_code == 403, path
        assert demo.compute.get_server(server.id).task_state != "deleting"
    finally:
        demo.compute.delete_server(server)


@pytest.mark.devcloud_only(reason="fault injection: the cloud refuses (403) a page's read")
def test_a_refusal_from_the_cloud_on_any_page_is_a_clear_403(as_, alices_server, devcloud):
    devcloud.admin_api("POST", "faults", {
        "service": "compute", "method": "GET", "path": f"/servers/{alices_server.id}$",
        "status": 403, "message": "Policy doesn't allow os_compute_api:servers:show to be "
                                  "performed."})
    try:
        resp = as_("alice").get(f"/servers/{alices_server.id}/")
    finally:
        devcloud.admin_api("DELETE", "faults")
    assert resp.status_code == 403
    assert "Policy doesn't allow os_compute_api:servers:show to be performed." in text(resp)


def test_helpdesk_changes_nothing(as_, alices_server, cloud):
    """Helpdesk finds any server and opens its console; it is offered no action and any
    action it posts is refused before the cloud is asked."""
    helpdesk = as_("helpdesk")
    for path, data in ((f"/servers/{alices_server.id}/actions/stop/", {}),
                       (f"/servers/{alices_server.id}/lock/", {"reason": "x"}),
                       (f"/servers/{alices_server.id}/rescue/", {}),
                       (f"/servers/{alices_server.id}/delete/", {}),
                       ("/servers/bulk/stop/", {"server": [alices_server.id]})):
        assert helpdesk.post(path, data).status_code == 403, path
    listing = helpdesk.get("/servers/").content.decode()
    assert 'data-testid="row-menu"' not in listing
    server = cloud.connect("alice").compute.get_server(alices_server.id)
    assert server.status == "ACTIVE" and server.task_state is None and not server.is_locked
