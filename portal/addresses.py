"""Finding servers by IP the way Nova really answers.

Nova's `ip`/`ip6` list filters are documented as regular expressions, but a Nova whose
Neutron has the `ip-substring-filtering` extension (every current one) hands the value to
Neutron as `fixed_ips=ip_address_substr=<value>`: a literal substring, where `^` or `$`
match nothing. So the portal sends the address as typed, stripped to address characters,
and keeps only exact matches itself when a whole address was typed.
"""

import ipaddress
import re

_NOT_ADDRESS = re.compile(r"[^0-9A-Fa-f:.]")


def ip_filter(text: str) -> tuple[str, str] | None:
    """(`ip` or `ip6`, value) for Nova's server list, or None when nothing is left."""
    value = _NOT_ADDRESS.sub("", text)
    if not value:
        return None
    return ("ip6" if ":" in value else "ip"), value


def exact_address(text: str) -> str | None:
    """The address when `text` is a whole IPv4/IPv6 address, else None."""
    try:
        return str(ipaddress.ip_address(_NOT_ADDRESS.sub("", text)))
    except ValueError:
        return None


def has_address(addresses: dict, ip: str) -> bool:
    """Whether Nova's `addresses` of a server hold exactly this address (fixed or floating)."""
    return any(entry.get("addr") == ip for entries in (addresses or {}).values()
               for entry in entries)
