"""A server's detail panels (addresses, security groups, ports, floating IPs, volumes)
from what Nova's detailed server and two batched Neutron lists say, so that the page and
the poller render the same thing from the same data:

    the page    GET server + GET /ports?device_id=<it>, then GET /floatingips?port_id=…
    the poller  its one servers/detail call, its one batched ports call for the servers
                that changed, and one batched floating IPs call for those ports

A port's network is named from Nova's own `addresses` (keyed by network name, each entry
with its port's MAC), so neither pays a networks call; a port Nova has not listed yet
shows its network id until it does.

Nova does not touch a server when Neutron changes one of its ports: a floating IP
attached or a security group added from the CLI leaves `updated` as it was, so
changes-since does not report it (seen on Nova 34). A Neutron poll that sees such a
change calls `refresh` with the ports and floating IPs it fetched.
"""

def networks_by_mac(server) -> dict[str, str]:
    """MAC → network name, from Nova's addresses."""
    out = {}
    for network, entries in (server.addresses or {}).items():
        for entry in entries:
            if mac := entry.get("OS-EXT-IPS-MAC:mac_addr"):
                out.setdefault(mac, network)
    return out


def _port(p: dict, networks: dict[str, str]) -> dict:
    mac = p.get("mac_address") or p.get("mac") or ""
    return {"id": p["id"], "mac": mac, "network_id": p.get("network_id", ""),
            "network": networks.get(mac) or p.get("network_id", ""),
            "status": p.get("status", ""),
            "fixed_ips": [{"ip_address": f.get("ip_address"), "subnet_id": f.get("subnet_id")}
                          for f in p.get("fixed_ips") or []]}


def _floating_ip(f: dict) -> dict:
    return {"id": f["id"], "address": f.get("floating_ip_address", ""),
            "fixed": f.get("fixed_ip_address") or "", "port_id": f.get("port_id") or "",
            "status": f.get("status", "")}


def build(server, ports: list[dict], floating_ips: list[dict]) -> dict:
    """Every panel's data for one server (JSON: the poller keeps it in ServerState.row).
    `ports` are Neutron's port dicts with this server as device, `floating_ips` Neutron's
    floating IPs (those on other ports are left out)."""
    networks = networks_by_mac(server)
    shown = [_port(p, networks) for p in sorted(ports, key=lambda p: p.get("created_at")
                                                 or "")]
    port_ids = {p["id"] for p in shown}
    fixed, floating = [], []
    for entries in (server.addresses or {}).values():
        for a in entries:
            (floating if a.get("OS-EXT-IPS:type") == "floating" else fixed).append(a["addr"])
    return {
        "server_id": server.id, "networks": networks,
        "fixed": fixed, "floating": floating,
        "security_groups": sorted({g.get("name") for g in server.security_groups or []
                                   if g.get("name")}),
        "volumes": [v.get("id") for v in volumes_of(server)],
        "ports": shown,
        "floating_ips": sorted((_floating_ip(f) for f in floating_ips
                                if f.get("port_id") in port_ids),
                               key=lambda f: f["address"]),
    }


def volumes_of(server) -> list[dict]:
    """Nova's os-extended-volumes:volumes_attached (openstacksdk's name for it)."""
    return [v if isinstance(v, dict) else {"id": getattr(v, "id", v)}
            for v in getattr(server, "attached_volumes", None) or []]


def with_neutron(panels: dict, ports: list[dict], floating_ips: list[dict]) -> dict:
    """Kept panels with newer ports and floating IPs (a Neutron poll's): the addresses
    follow them, Nova's view of the server as last seen otherwise."""
    networks = panels.get("networks") or {}
    shown = [_port(p, networks) for p in sorted(ports, key=lambda p: p.get("created_at")
                                                 or "")]
    port_ids = {p["id"] for p in shown}
    fips = sorted((_floating_ip(f) for f in floating_ips if f.get("port_id") in port_ids),
                  key=lambda f: f["address"])
    return {**panels, "ports": shown, "floating_ips": fips,
            "fixed": [f["ip_address"] for p in shown for f in p["fixed_ips"]],
            "floating": [f["address"] for f in fips]}
