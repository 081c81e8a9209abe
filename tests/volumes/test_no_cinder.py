"""A cloud whose catalog has no Cinder (devcloud --no-volume): no Volumes in the menu,
/volumes/ a 404 that says why, no attached-volumes panel on the server detail, no volume
or gigabyte figures in the overview's usage nor the admin's project usage, nothing asks
Cinder and nothing errors. devcloud only: the real cloud has its Cinder."""

import logging
import urllib.error
import urllib.request

import pytest

from devcloud import testing
from portal import catalog
from tests.conftest import DEVCLOUD_ACCOUNTS, CloudTarget, on_realcloud
from tests.pages import login, text
from tests.vms.helpers import launch_data, unique
from vms import boot_source
from volumes import poller

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(on_realcloud(), reason="needs a cloud without Cinder")]


@pytest.fixture(scope="module")
def no_cinder(tmp_path_factory):
    with testing.running(tmp_path_factory.mktemp("no-cinder") / "state", "--build-delay",
                         "0.3", "--no-volume") as running:
        yield running


@pytest.fixture(scope="module")
def cloud(no_cinder):
    """This module's cloud (portal_settings points the portal at it)."""
    return CloudTarget(name="devcloud-no-cinder", auth_url=no_cinder.auth_url,
                       clouds_yaml=no_cinder.clouds_yaml, service_cloud="devcloud-portal",
                       accounts=DEVCLOUD_ACCOUNTS, devcloud=no_cinder)


@pytest.fixture(scope="module")
def server(cloud):
    alice = cloud.connect("alice")
    made = alice.compute.create_server(name="t-nocinder", flavor_id="1", networks="none",
                                       image_id=alice.image.find_image("cirros").id)
    made = alice.compute.wait_for_server(made, wait=60, interval=0.1)
    yield made
    alice.compute.delete_server(made)


def _volume_calls(cloud) -> list[dict]:
    calls = cloud.devcloud.admin_api("GET", "stats")["calls"]
    return [c for c in calls if c["service"] == "volume"]


def test_devcloud_leaves_cinder_out_of_the_catalog(cloud):
    conn = cloud.connect("alice")
    types = {e["type"] for e in conn.session.auth.get_access(conn.session)
             .service_catalog.catalog}
    assert {"compute", "network", "image", "identity"} <= types
    assert not types & {"volumev3", "block-storage", "volume"}
    assert conn.has_service("block-storage") is False
    req = urllib.request.Request(f"{cloud.devcloud.base_url}/volume/v3/"
                                 f"{conn.current_project_id}/volumes",
                                 headers={"X-Auth-Token": conn.session.get_token()})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req)
    assert info.value.code == 404
    # Nova reads its own block device mappings: a server lists no attachments
    server = conn.compute.create_server(name="t-nocinder-nova", flavor_id="1",
                                        networks="none",
                                        image_id=conn.image.find_image("cirros").id)
    try:
        assert list(conn.compute.volume_attachments(server)) == []
    finally:
        conn.compute.delete_server(server)


def test_devcloud_services_env_names_what_is_served(monkeypatch):
    from devcloud.__main__ import left_out, parse_args

    assert left_out(parse_args([]), {}) == ()
    assert left_out(parse_args(["--no-volume"]), {}) == ("volume",)
    assert left_out(parse_args([]), {"DEVCLOUD_SERVICES": "compute,network,image"}) == (
        "volume",)
    assert left_out(parse_args([]), {"DEVCLOUD_SERVICES": "compute,volumev3"}) == ()


def test_the_pages_hide_volumes_and_nothing_asks_cinder(portal_settings, cloud, server):
    alice = login(cloud, "alice")
    cloud.devcloud.admin_api("DELETE", "stats")
    home = alice.get("/")
    assert home.status_code == 200
    assert 'href="/volumes/"' not in home.content.decode()
    usage = alice.get("/overview/usage/")
    assert usage.status_code == 200
    assert 'data-testid="usage-volume"' not in usage.content.decode()
    assert "Volume storage" not in text(usage)
    listed = alice.get("/volumes/")
    assert listed.status_code == 404
    assert "This cloud has no block storage service" in text(listed)
    assert alice.get("/volumes/create/").status_code == 404
    detail = alice.get(f"/servers/{server.id}/")
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "server-volumes-slot" not in page and "Attached volumes" not in page
    assert alice.get(f"/volumes/server/{server.id}/").content == b""
    assert _volume_calls(cloud) == []


def test_the_admins_usage_and_cloud_pages_show_no_volumes(portal_settings, cloud):
    admin = login(cloud, "admin")
    cloud.devcloud.admin_api("DELETE", "stats")
    usage = admin.get("/admin/cloud/usage/")
    assert usage.status_code == 200
    said = text(usage)
    assert "this cloud has no Cinder: no volumes" in said
    assert "Volume GB" not in said and "sort=volumes" not in usage.content.decode()
    overview = admin.get("/admin/cloud/")
    assert overview.status_code == 200
    assert "and Cinder" not in text(overview)
    assert _volume_calls(cloud) == []


def test_the_poller_does_not_ask(portal_settings, cloud):
    assert poller.tick(conn=cloud.connect("admin")) == {"polled": False,
                                                        "reason": "no block storage"}


def test_the_catalog_is_read_once_per_token(portal_settings, cloud, caplog):
    """openstacksdk logs "catalog entry not found" on every has_service: once per token."""
    conn = cloud.connect("alice")
    with caplog.at_level(logging.WARNING, logger="openstack"):
        assert [catalog.has_block_storage(conn) for _ in range(5)] == [False] * 5
    warned = [r for r in caplog.records if "catalog entry not found" in r.getMessage()]
    assert len(warned) <= 1
    conn.session.invalidate()          # a new token (re-authentication): read again
    with caplog.at_level(logging.WARNING, logger="openstack"):
        assert catalog.has_block_storage(conn) is False
    assert conn._stackport_catalog[0] == conn.session.get_token()


def test_the_launch_form_has_no_boot_source_and_boots_the_image(portal_settings, cloud):
    """Without Cinder the form offers no boot source (no volume, snapshot, size fields),
    asks Cinder nothing, and a launch boots from the image."""
    alice = login(cloud, "alice")
    cloud.devcloud.admin_api("DELETE", "stats")
    page = alice.get("/servers/launch/").content.decode()
    for field in boot_source.FIELDS:
        assert f'name="{field}"' not in page
    conn = cloud.connect("alice")
    net = conn.network.create_network(name=unique("t-nocinder-net"))
    conn.network.create_subnet(network_id=net.id, cidr="10.63.0.0/24", ip_version=4)
    try:
        resp = alice.post("/servers/launch/", launch_data(
            net.id, unique("t-nocinder-l"), image=conn.image.find_image("cirros").id))
        assert resp.status_code == 302, text(resp)
        server_id = resp.url.rstrip("/").rsplit("/", 1)[1]
        server = conn.compute.wait_for_server(conn.compute.get_server(server_id), wait=60,
                                              interval=0.1)
        assert server.image.id
        assert _volume_calls(cloud) == []
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=60)
    finally:
        conn.network.delete_network(net)
