"""Undoing a floating IP's association with a port.

Both sides need it: a floating IP is disassociated on request (floatingips.py) and when the
port it points at goes away (ports.py, and Nova's server delete through nova.py). It lives
here, below both, so neither has to import the other.
"""

from .util import bump


def disassociate(state, fip: dict) -> None:
    state.unindex("floatingips", fip)
    fip.update({"port_id": None, "fixed_ip_address": None, "router_id": None,
                "status": "DOWN"})
    bump(fip)
    state.put("floatingips", fip)


def disassociate_port(state, port_id: str) -> None:
    """Every floating IP pointing at the port loses its association."""
    for fip in state.fips_of(port_id):
        disassociate(state, fip)
