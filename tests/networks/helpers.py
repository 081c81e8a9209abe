"""Helpers for the networks tests: log in with the Django test client, read what the page
says, and sweep away everything a test created (by name prefix, as admin)."""

import html as html_lib
import random
import re
import time
import uuid

from openstack import exceptions as os_exc

from tests.pages import form_error, login, text  # noqa: F401 (re-exported)


def field_error(resp, field: str) -> str:
    m = re.search(rf'data-testid="error-{field}">(.*?)</p>', resp.content.decode(), re.S)
    return html_lib.unescape(m.group(1).strip()) if m else ""


def follow_messages(client, resp) -> str:
    """After a redirect: the text of the page it leads to (where the message shows)."""
    assert resp.status_code == 302, resp.status_code
    return text(client.get(resp.url))


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def free_vlan(admin) -> int:
    """A VLAN id on physnet1 outside the tenant range that no network holds now (a random
    pick alone collided with a network of another test: "VLAN 3221 ... already used")."""
    used = {n.provider_segmentation_id for n in admin.network.networks(
        provider_network_type="vlan", provider_physical_network="physnet1")}
    return random.choice(sorted(set(range(3000, 4000)) - used))


def make_pool(admin, name: str, cidr: str, start: str, end: str):
    """An external network (floating IP pool) on physnet1, VLAN outside the tenant range."""
    net = admin.network.create_network(
        name=name, is_router_external=True, is_shared=False,
        provider_network_type="vlan", provider_physical_network="physnet1",
        provider_segmentation_id=free_vlan(admin))
    admin.network.create_subnet(network_id=net.id, cidr=cidr, ip_version=4,
                                enable_dhcp=False, name=f"{name}-range",
                                allocation_pools=[{"start": start, "end": end}])
    return net


def _quiet(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except os_exc.NotFoundException:
        pass


def wait_gone(fetch, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fetch() is None:
            return
        time.sleep(0.3)


def sweep(admin, prefix: str, pool_ids=()) -> None:
    """Delete, as admin, everything whose name starts with prefix, and every floating IP
    allocated from the given pools; in dependency order."""
    net = admin.network
    for s in admin.compute.servers(all_projects=True):
        if s.name.startswith(prefix):
            admin.compute.delete_server(s)
            wait_gone(lambda s=s: admin.compute.find_server(s.id, all_projects=True,
                                                           ignore_missing=True))
    routers = [r for r in net.routers() if (r.name or "").startswith(prefix)]
    for f in net.ips():
        if f.floating_network_id in pool_ids or f.description == prefix:
            _quiet(net.delete_ip, f)
    for r in routers:
        for p in net.ports(device_id=r.id, device_owner="network:router_interface"):
            _quiet(net.remove_interface_from_router, r, port=p.id)
        _quiet(net.delete_router, r)
    for g in net.security_groups():
        if (g.name or "").startswith(prefix):
            _quiet(net.delete_security_group, g)
    for n in net.networks():
        if (n.name or "").startswith(prefix) or n.id in pool_ids:
            for f in net.ips(floating_network_id=n.id):
                _quiet(net.delete_ip, f)
            for p in net.ports(network_id=n.id):
                if p.device_owner not in ("network:router_gateway",
                                          "network:router_interface"):
                    _quiet(net.delete_port, p)
            _quiet(net.delete_network, n)


def ensure_boot_parts(admin) -> list:
    """The m1.tiny flavor and cirros image the tests boot from; created (and returned, to
    be deleted after) only on a cloud that lacks them."""
    made = []
    if admin.compute.find_flavor("m1.tiny") is None:
        made.append(admin.compute.create_flavor(name="m1.tiny", ram=512, vcpus=1, disk=1))
    if admin.image.find_image("cirros") is None:
        made.append(admin.image.create_image(name="cirros", data=b"\0" * 1024 * 1024,
                                             disk_format="raw", container_format="bare",
                                             visibility="public"))
    return made


def drop_boot_parts(admin, made) -> None:
    for obj in made:
        if obj.__class__.__name__ == "Flavor":
            admin.compute.delete_flavor(obj)
        else:
            admin.image.delete_image(obj)


def boot_server(conn, name: str, network_id: str, timeout: float = 120):
    """A server on the network, as the connection's account; waits for ACTIVE."""
    flavor = conn.compute.find_flavor("m1.tiny")
    image = conn.image.find_image("cirros")
    server = conn.compute.create_server(name=name, flavor_id=flavor.id, image_id=image.id,
                                        networks=[{"uuid": network_id}])
    return conn.compute.wait_for_server(server, wait=timeout)


def tenant_network(conn, name: str, cidr: str = "10.10.0.0/24", pool_id: str | None = None):
    """Network + subnet (+ router to pool_id) made directly with openstacksdk, as setup."""
    net = conn.network.create_network(name=name)
    subnet = conn.network.create_subnet(network_id=net.id, name=f"{name}-subnet", cidr=cidr,
                                        ip_version=4)
    router = None
    if pool_id:
        router = conn.network.create_router(name=f"{name}-router",
                                            external_gateway_info={"network_id": pool_id})
        conn.network.add_interface_to_router(router, subnet=subnet.id)
    return net, subnet, router
