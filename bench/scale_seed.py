"""What bench/page_overhead.py seeds for its scale runs, on devcloud or on the real cloud:
the project's own networks (each with a /24 subnet) and floating IPs from a pool big
enough to hold them (devcloud's `public` has 101 addresses, the real cloud's too), with
the quotas raised to fit; and, on the real cloud, `teardown` takes every one of them away
again and puts the quotas back. Raw JSON posts through openstacksdk's proxies (an
openstacksdk Resource per object would cost more than the call), a few at a time: a real
Neutron answers a create in 50-150 ms, so 2,000 floating IPs one by one would take
minutes."""

import ipaddress
from concurrent.futures import ThreadPoolExecutor

POOL_CIDR = "198.18.0.0/19"  # RFC 2544's benchmarking range: 8,190 addresses
POOL_NAME = "bench-pool"
PREFIX = "bench-net-"
WORKERS = 4  # concurrent creates: the real Neutron has two API workers on this machine


def raise_network_quota(admin, project_id: str, networks: int, fips: int) -> None:
    # ports: no limit (each subnet's DHCP port besides the servers' own)
    admin.network.update_quota(project_id, network=networks + 20, subnet=networks + 20,
                               floatingip=fips + 50, port=-1)


def _each(fn, items) -> None:
    """fn over items, WORKERS at a time; the first failure is raised."""
    with ThreadPoolExecutor(WORKERS) as pool:
        for _ in pool.map(fn, items):
            pass


def networks(conn, count: int) -> None:
    def make(n: int) -> None:
        net = conn.network.post("/networks", json={"network": {"name": f"{PREFIX}{n:04d}"}})
        net.raise_for_status()
        cidr = ipaddress.ip_network("10.128.0.0/9").network_address + n * 256
        conn.network.post("/subnets", json={"subnet": {
            "network_id": net.json()["network"]["id"], "ip_version": 4,
            "cidr": f"{cidr}/24", "name": f"bench-sub-{n:04d}"}}).raise_for_status()

    _each(make, range(count))


def pool(admin) -> str:
    """An external network with room for thousands of floating IPs; its id."""
    net = admin.network.post("/networks", json={"network": {
        "name": POOL_NAME, "router:external": True}})
    net.raise_for_status()
    net_id = net.json()["network"]["id"]
    first = ipaddress.ip_network(POOL_CIDR)
    admin.network.post("/subnets", json={"subnet": {
        "network_id": net_id, "ip_version": 4, "cidr": POOL_CIDR, "enable_dhcp": False,
        "name": "bench-pool-subnet", "gateway_ip": str(first[1]),
        "allocation_pools": [{"start": str(first[2]), "end": str(first[-2])}]}}
    ).raise_for_status()
    return net_id


def floating_ips(conn, pool_id: str, count: int) -> None:
    def make(_: int) -> None:
        conn.network.post("/floatingips", json={"floatingip": {
            "floating_network_id": pool_id}}).raise_for_status()

    _each(make, range(count))


def teardown(conn, admin, project_id: str) -> None:
    """What networks(), pool() and floating_ips() made, gone (the floating IPs first:
    they hold the pool), and the project's network quotas back to the defaults."""
    pools = [n["id"] for n in _list(admin, "/networks", "networks", name=POOL_NAME)]
    fips = [f["id"] for p in pools for f in _list(
        admin, "/floatingips", "floatingips", floating_network_id=p)]
    _each(lambda i: _delete(conn, f"/floatingips/{i}"), fips)
    nets = [n["id"] for n in _list(conn, "/networks", "networks", project_id=project_id)
            if n["name"].startswith(PREFIX)]
    _each(lambda i: _delete(conn, f"/networks/{i}"), nets)  # its subnet goes with it
    for p in pools:
        _delete(admin, f"/networks/{p}")
    admin.network.delete_quota(project_id)


def _list(conn, path: str, key: str, **query) -> list[dict]:
    resp = conn.network.get(path, params={**query, "fields": ["id", "name"]})
    resp.raise_for_status()
    return resp.json()[key]


def _delete(conn, path: str) -> None:
    resp = conn.network.delete(path)
    if resp.status_code not in (204, 404):
        resp.raise_for_status()
