"""`devcloud --guests tiny` where the guests cannot run: it says so at start and falls back."""

import os
import time
from pathlib import Path
from unittest import mock

import openstack

from devcloud import testing


def test_without_the_image_devcloud_says_so_and_falls_back_to_plain_servers(tmp_path):
    state = tmp_path / "state"
    env = {"STACKPORT_GUEST_IMAGE": str(tmp_path / "no-image")}
    with mock.patch.dict(os.environ, env), testing.running(state, "--guests", "tiny",
                                                           "--build-delay", "0.2") as cloud:
        status = cloud.admin_api("GET", "guests")
        assert status["enabled"] is False and "make guest-image" in status["reason"]
        # Services log their start after the API answers: give the line a moment.
        log_path, deadline = Path(state.parent / f"devcloud-{cloud.port}.log"), time.time() + 10
        while "plain console instead" not in log_path.read_text() and time.time() < deadline:
            time.sleep(0.1)
        log = log_path.read_text()
        assert "--guests tiny: the guest kernel and initramfs are missing (make guest-image)" \
            in log and "plain console instead" in log
        conn = openstack.connect(auth_url=cloud.auth_url, username="demo", password="demo",
                                 project_name="demo", user_domain_name="Default",
                                 project_domain_name="Default", region_name="RegionOne",
                                 identity_api_version="3")
        net = conn.network.find_network("private")
        server = conn.compute.create_server(
            name="plain", flavor_id="1", image_id=conn.image.find_image("cirros").id,
            networks=[{"uuid": net.id}])
        server = conn.compute.wait_for_server(server, wait=30, interval=0.2)
        (port,) = conn.network.ports(device_id=server.id)
        out = conn.compute.get_server_console_output(server)["output"]
        assert f"lease of {port.fixed_ips[0]['ip_address']} obtained" in out
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=30)
