"""Helpers for the vms tests: logged-in test clients, what a page says, waiting for Nova,
and sweeping away what a test made."""

import time
import uuid

from openstack import exceptions as os_exc

from tests.pages import form_error, login, text  # noqa: F401 (re-exported)


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def request_id() -> str:
    return uuid.uuid4().hex


def launch_data(network_id: str, name: str, **extra) -> dict:
    data = {"request_id": request_id(), "name": name, "flavor": "1", "image": "",
            "networks": [network_id], "count": 1, "key_mode": "none",
            "security_groups": [], "floating_pool": ""}
    data.update(extra)
    return data


def wait_for(fetch, timeout=30, interval=0.3, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fetch()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def delete_servers(conn, prefix: str, timeout=30) -> None:
    """Delete (as admin) every server whose name starts with prefix, and wait until gone."""
    doomed = [s for s in conn.compute.servers(all_projects=True)
              if (s.name or "").startswith(prefix)]
    for s in doomed:
        try:
            conn.compute.delete_server(s)
        except os_exc.NotFoundException:
            pass
    for s in doomed:
        wait_for(lambda s=s: conn.compute.find_server(s.id, all_projects=True,
                                                     ignore_missing=True) is None,
                 timeout=timeout, what=f"{s.name} gone")
