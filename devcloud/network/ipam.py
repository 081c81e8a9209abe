"""Subnet arithmetic as Neutron's IPAM does it: CIDR parsing, default gateway and pools,
validation of explicit gateway/pools, and lowest-free address allocation.

Validation messages and exception types were copied from a real Neutron (2026.2).
"""

import ipaddress

from .util import CloudError, bad_request, conflict, invalid_input


def parse_cidr(cidr, ip_version: int):
    """Neutron accepts host bits set (10.0.0.1/24 becomes 10.0.0.0/24)."""
    try:
        net = ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        raise invalid_input(f"{cidr} is not in a CIDR format.") from None
    if "/" not in str(cidr):
        raise invalid_input(f"{cidr} is not in a CIDR format.")
    if net.version != ip_version:
        raise invalid_input(f"cidr '{cidr}' does not match the ip_version '{ip_version}'.")
    return net


def parse_ip(value, field: str):
    try:
        return ipaddress.ip_address(str(value))
    except ValueError:
        raise bad_request(f"Invalid input for {field}. Reason: '{value}' is not a valid IP "
                          "address.") from None


def default_gateway(net) -> str:
    # IPv6: Neutron picks the subnet-router anycast address (the network address itself).
    if net.version == 6:
        return str(net.network_address)
    return str(net.network_address + 1)


def host_range(net) -> tuple[int, int]:
    """First and last address usable for pools: not the network address, and for IPv4 not
    the broadcast address either."""
    first = int(net.network_address) + 1
    last = int(net.broadcast_address) - (1 if net.version == 4 else 0)
    if net.prefixlen >= net.max_prefixlen - 1:  # /31, /32 and IPv6 /127, /128
        first, last = int(net.network_address), int(net.broadcast_address)
    return first, last


def default_pools(net, gateway: str | None) -> list[dict]:
    first, last = host_range(net)
    ranges = [(first, last)]
    if gateway is not None:
        gw = int(ipaddress.ip_address(gateway))
        ranges = [(a, b) for a, b in ((first, gw - 1), (gw + 1, last)) if a <= b] \
            if first <= gw <= last else ranges
    make = ipaddress.ip_address
    return [{"start": str(make(a)), "end": str(make(b))} for a, b in ranges]


def pool_ranges(pools: list[dict]) -> list[tuple[int, int]]:
    return [(int(ipaddress.ip_address(p["start"])), int(ipaddress.ip_address(p["end"])))
            for p in pools]


def validate_pools(net, pools) -> list[dict]:
    """Explicit allocation_pools: well-formed, inside the CIDR, not overlapping."""
    clean = []
    for pool in pools:
        if not isinstance(pool, dict) or set(pool) != {"start", "end"}:
            raise bad_request(f"Invalid input for allocation_pools. Reason: Invalid data format "
                              f"for IP pool: '{pool}'.")
        start, end = (parse_ip(pool[k], "allocation_pools") for k in ("start", "end"))
        if start.version != net.version or end.version != net.version or start > end:
            raise CloudError(400, f"The allocation pool {pool} is not valid.",
                             "InvalidAllocationPool")
        if start not in net or end not in net:
            raise CloudError(400, f"The allocation pool {start}-{end} spans beyond the subnet "
                                  f"cidr {net}.", "OutOfBoundsAllocationPool")
        clean.append({"start": str(start), "end": str(end)})
    ranges = sorted(zip(pool_ranges(clean), clean, strict=True))
    for (prev, prev_pool), (cur, cur_pool) in zip(ranges, ranges[1:], strict=False):
        if cur[0] <= prev[1]:
            raise conflict(f"Found overlapping allocation pools: {prev_pool['start']}-"
                           f"{prev_pool['end']} {cur_pool['start']}-{cur_pool['end']} for "
                           f"subnet {net}.", "OverlappingAllocationPools")
    return clean


def check_gateway(net, gateway: str | None, pools: list[dict]) -> None:
    if gateway is None:
        return
    gw = parse_ip(gateway, "gateway_ip")
    if gw.version != net.version:
        raise bad_request(f"Invalid input for gateway_ip. Reason: '{gateway}' is not a valid "
                          f"IP address.")
    value = int(gw)
    for pool, (a, b) in zip(pools, pool_ranges(pools), strict=True):
        if a <= value <= b:
            raise conflict(f"Gateway ip {gateway} conflicts with allocation pool "
                           f"{pool['start']}-{pool['end']}.",
                           "GatewayConflictWithAllocationPools")
    # A gateway outside the CIDR is accepted by Neutron (an on-link route is added);
    # only the network and broadcast addresses are refused.
    if gw in net and net.version == 4 and net.prefixlen < 31 and gw in (
            net.network_address, net.broadcast_address):
        raise invalid_input(f"Gateway is not valid on subnet: {gateway}")


def validate_nameservers(values) -> list[str]:
    out = []
    for v in values or []:
        try:
            ipaddress.ip_address(str(v))
        except ValueError:
            raise bad_request(f"Invalid input for dns_nameservers. Reason: '{v}' is not a valid "
                              f"nameserver. '{v}' is not a valid IP address.") from None
        if v in out:
            raise bad_request(f"Invalid input for dns_nameservers. Reason: Duplicate nameserver "
                              f"'{v}'.")
        out.append(str(v))
    return out


def validate_host_routes(values, net) -> list[dict]:
    out = []
    for route in values or []:
        try:
            dest = ipaddress.ip_network(route["destination"])
            hop = ipaddress.ip_address(route["nexthop"])
        except (KeyError, TypeError, ValueError):
            raise bad_request(f"Invalid input for host_routes. Reason: Invalid data format for "
                              f"hostroute: '{route}'.") from None
        if dest.version != net.version or hop.version != net.version:
            raise invalid_input(f"Host route {route} is not valid for subnet {net}.")
        out.append({"destination": str(dest), "nexthop": str(hop)})
    return out


def pool_size(pools: list[dict]) -> int:
    return sum(b - a + 1 for a, b in pool_ranges(pools))


def lowest_free(pools: list[dict], used: set[int], hint: int = 0) -> int | None:
    """The lowest address in the pools not in use, scanning from hint upward.

    Cost is bounded by the number of used addresses, not the pool size (an IPv6 /64 pool
    has 2**64 addresses)."""
    for a, b in sorted(pool_ranges(pools)):
        candidate = max(a, hint)
        while candidate <= b and candidate in used:
            candidate += 1
        if candidate <= b:
            return candidate
    return None
