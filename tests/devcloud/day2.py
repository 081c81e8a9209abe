"""Helpers for the day-2 action tests: openstacksdk connections to the session's devcloud
(the calls the portal makes), a booted server, the task_state sequence an action walks,
and Nova's error bodies."""

import contextlib
import threading
import time

import openstack
import openstack.config
import pytest


def connect(devcloud, user: str):
    """openstacksdk as `user`, from the devcloud's clouds.yaml (cloud devcloud-<user>)."""
    config = openstack.config.OpenStackConfig(config_files=[str(devcloud.clouds_yaml)])
    return openstack.connection.Connection(config=config.get_one(cloud=f"devcloud-{user}"))


def boot(conn, name: str, network_id: str | None = None, flavor: str = "m1.tiny",
         image_id: str | None = None):
    image_id = image_id or conn.image.find_image("cirros").id
    flavor_id = conn.compute.find_flavor(flavor).id
    networks = [{"uuid": network_id}] if network_id else "none"
    server = conn.compute.create_server(name=name, image_id=image_id, flavor_id=flavor_id,
                                        networks=networks)
    return conn.compute.wait_for_server(server, status="ACTIVE", wait=30, interval=0.1)


def wait(conn, server, status: str, timeout: float = 30):
    """The server at `status` with no task_state (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        current = conn.compute.get_server(server)
        if current.status == status and current.task_state is None:
            return current
        if time.monotonic() > deadline:
            raise AssertionError(f"{server.id} is {current.status}/{current.task_state}, "
                                 f"not {status}")
        time.sleep(0.05)


class Watch:
    """Every (status, vm_state, task_state) a server passes through while it runs."""

    def __init__(self, conn, server_id: str):
        self.conn, self.server_id, self.seen, self.stop = conn, server_id, [], False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _look(self):
        s = self.conn.compute.get_server(self.server_id)
        state = (s.status, s.vm_state, s.task_state)
        if not self.seen or self.seen[-1] != state:
            self.seen.append(state)

    def _run(self):
        while not self.stop:
            self._look()
            time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.thread.join()
        self._look()  # the end state the caller waited for


@contextlib.contextmanager
def slow_actions(devcloud, seconds: float = 6.0):
    """Stretch devcloud's action delay so each task_state lasts long enough to be seen."""
    before = devcloud.admin_api("GET", "config")["build_delay"]
    devcloud.admin_api("POST", "config", {"build_delay": seconds})
    try:
        yield
    finally:
        devcloud.admin_api("POST", "config", {"build_delay": before})


def refused(call, status: int, message: str | None):
    """The SDK call fails with Nova's status and message (body {key: {code, message}});
    message None: any message (one that names a request id)."""
    with pytest.raises(openstack.exceptions.HttpException) as info:
        call()
    assert info.value.status_code == status, info.value
    body = info.value.response.json()
    (error,) = body.values()
    assert error["code"] == status, body
    if message is not None:
        assert error == {"code": status, "message": message}, body
    return body
