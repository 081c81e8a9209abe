"""Address checks the subnet and pool forms make before Neutron sees the request.

Pure functions over the `ipaddress` module; each raises ValueError with the sentence the
person reads under the field they typed in.
"""

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_cidr(text: str) -> Network:
    text = text.strip()
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(f"“{text}” is not a network address. Write it as an address and a "
                         "prefix length, like 10.0.0.0/24 or fd00::/64.") from None
    # Neutron would silently keep the typed form; a person who typed 10.0.0.1/24 most
    # likely meant the network, so say so instead of guessing.
    raise ValueError(f"“{text}” has host bits set. Did you mean {loose}?")


def parse_address(text: str, field: str = "address") -> Address:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise ValueError(f"“{text.strip()}” is not an IP {field}.") from None


def parse_pools(text: str) -> list[tuple[Address, Address]]:
    """One pool a line, `start-end` or `start,end`; blank lines ignored."""
    pools = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = [p for p in line.replace(",", " ").replace("-", " ").split() if p]
        # IPv6 addresses contain no "-" or ",", so the split is unambiguous.
        if len(parts) != 2:
            raise ValueError(f"“{line}”: write a pool as start-end, one pool a line.")
        start, end = (parse_address(p) for p in parts)
        if start.version != end.version:
            raise ValueError(f"“{line}”: start and end are not the same IP version.")
        if start > end:
            raise ValueError(f"“{line}”: the start address is after the end address.")
        pools.append((start, end))
    return pools


def parse_addresses(text: str) -> list[Address]:
    """DNS servers: one a line (or comma separated)."""
    return [parse_address(p, "address") for p in text.replace(",", "\n").split()]


def check_pools_in(cidr: Network, pools: list[tuple[Address, Address]]) -> None:
    for start, end in pools:
        if start.version != cidr.version or start not in cidr or end not in cidr:
            raise ValueError(f"The pool {start}-{end} is not inside {cidr}.")
        if cidr.version == 4 and cidr.prefixlen < 31 and (
                start == cidr.network_address or end == cidr.broadcast_address):
            raise ValueError(f"The pool {start}-{end} includes the network or broadcast "
                             f"address of {cidr}.")
    ordered = sorted(pools)
    for (s1, e1), (s2, e2) in zip(ordered, ordered[1:], strict=False):
        if s2 <= e1:
            raise ValueError(f"The pools {s1}-{e1} and {s2}-{e2} overlap.")


def check_gateway(cidr: Network, gateway: Address,
                  pools: list[tuple[Address, Address]]) -> None:
    if gateway.version != cidr.version or gateway not in cidr:
        raise ValueError(f"The gateway {gateway} is not inside {cidr}.")
    if gateway == cidr.network_address:
        raise ValueError(f"The gateway cannot be the network address of {cidr}.")
    if cidr.version == 4 and cidr.prefixlen < 31 and gateway == cidr.broadcast_address:
        raise ValueError(f"The gateway cannot be the broadcast address of {cidr}.")
    for start, end in pools:
        if start <= gateway <= end:
            raise ValueError(f"The gateway {gateway} is inside the allocation pool "
                             f"{start}-{end}; Neutron would hand it to a server.")


def check_range(cidr: Network, start: Address, end: Address) -> list[tuple[str, str]]:
    """A pool range's own mistakes, each as (field, sentence): an address outside the
    subnet is said so (under the address that is), before the order is looked at, so a
    typo in the last address does not read as "the range is reversed"."""
    problems = []
    for field, addr in (("start", start), ("end", end)):
        if addr.version != cidr.version or addr not in cidr:
            problems.append((field, f"{addr} is not inside the subnet {cidr}."))
    if problems:
        return problems
    if start > end:
        return [("end", f"The last address {end} comes before the first {start}: swap "
                        "them.")]
    try:
        check_pools_in(cidr, [(start, end)])
    except ValueError as exc:
        problems.append(("end" if end == cidr.broadcast_address else "start", str(exc)))
    return problems


def check_range_gateway(cidr: Network, gateway: Address, start: Address, end: Address,
                        automatic: bool) -> None:
    """The pool's upstream gateway must be in the subnet and outside the range of
    floating IPs (Neutron would otherwise refuse, or hand the gateway to a router)."""
    if automatic:
        if start <= gateway <= end:
            raise ValueError(f"The range {start}-{end} holds {gateway}, the subnet's first "
                             "address, which becomes the upstream gateway when none is "
                             f"given: start the range after {gateway}, or give the "
                             "gateway's address.")
        return
    check_gateway(cidr, gateway, [])
    if start <= gateway <= end:
        raise ValueError(f"The gateway {gateway} is inside the range {start}-{end}: a "
                         "floating IP would be handed the gateway's address. Move the "
                         "range or the gateway.")


def check_no_overlap_ranges(cidr: Network, ranges: Iterable[tuple[str, str]]) -> None:
    """ranges: (name, cidr) of the pool's existing ranges (its subnets)."""
    for name, other in ranges:
        other_net = ipaddress.ip_network(other, strict=False)
        if other_net.version == cidr.version and cidr.overlaps(other_net):
            label = f" (“{name}”)" if name else ""
            raise ValueError(f"{cidr} overlaps the pool's existing range {other}{label}: "
                             "choose a subnet outside it.")


def auto_gateway(cidr: Network) -> Address:
    """The gateway Neutron picks when none is given: the first address after the network."""
    return cidr.network_address + 1


def check_no_overlap(cidr: Network, others: Iterable[tuple[str, str]]) -> None:
    """others: (name, cidr) of the network's other subnets."""
    for name, other in others:
        other_net = ipaddress.ip_network(other, strict=False)
        if other_net.version == cidr.version and cidr.overlaps(other_net):
            label = f"“{name}” ({other})" if name else other
            raise ValueError(f"{cidr} overlaps the subnet {label} of this network.")


# Where a proposed tenant subnet is looked for, in order: the private ranges of RFC 1918.
PROPOSAL_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")


def free_cidr(used: Iterable[str], prefixlen: int = 24) -> Network | None:
    """The first /prefixlen of the private ranges that overlaps none of `used` (the
    project's subnets), e.g. 10.0.1.0/24 when 10.0.0.0/24 is taken; None if all are."""
    taken = sorted({ipaddress.ip_network(c, strict=False) for c in used
                    if ipaddress.ip_network(c, strict=False).version == 4})
    for block in PROPOSAL_RANGES:
        block = ipaddress.ip_network(block)
        candidate = block.network_address
        while candidate in block:
            net = ipaddress.ip_network(f"{candidate}/{prefixlen}")
            clash = next((t for t in taken if t.overlaps(net)), None)
            if clash is None:
                return net
            # Jump past what it clashes with (a /16 in use skips 256 candidates at once).
            candidate = max(clash.broadcast_address, net.broadcast_address) + 1
    return None


def format_pools(pools: Iterable[dict]) -> str:
    return "\n".join(f"{p['start']}-{p['end']}" for p in pools or ())


def pools_body(pools: list[tuple[Address, Address]]) -> list[dict]:
    return [{"start": str(s), "end": str(e)} for s, e in pools]
