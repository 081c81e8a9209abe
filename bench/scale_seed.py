"""What bench/page_overhead.py seeds for its scale runs on devcloud: the project's own
networks (each with a /24 subnet) and floating IPs from a pool big enough to hold them
(devcloud's `public` has 101 addresses), with the quotas raised to fit. Raw JSON posts
through openstacksdk's proxies: an openstacksdk Resource per object would cost more than
the call."""

import ipaddress

POOL_CIDR = "198.18.0.0/19"  # RFC 2544's benchmarking range: 8,190 addresses


def raise_network_quota(admin, project_id: str, networks: int, fips: int) -> None:
    # ports: no limit (each subnet's DHCP port besides the servers' own)
    admin.network.update_quota(project_id, network=networks + 20, subnet=networks + 20,
                               floatingip=fips + 50, port=-1)


def networks(conn, count: int) -> None:
    for n in range(count):
        net = conn.network.post("/networks", json={"network": {
            "name": f"bench-net-{n:04d}"}})
        net.raise_for_status()
        cidr = ipaddress.ip_network("10.128.0.0/9").network_address + n * 256
        conn.network.post("/subnets", json={"subnet": {
            "network_id": net.json()["network"]["id"], "ip_version": 4,
            "cidr": f"{cidr}/24", "name": f"bench-sub-{n:04d}"}}).raise_for_status()


def pool(admin) -> str:
    """An external network with room for thousands of floating IPs; its id."""
    net = admin.network.post("/networks", json={"network": {
        "name": "bench-pool", "router:external": True}})
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
    for _ in range(count):
        conn.network.post("/floatingips", json={"floatingip": {
            "floating_network_id": pool_id}}).raise_for_status()
