"""The cloud as deployed: the services Nova, Neutron and Cinder report, laid out by the Kolla
groups of the hosts they run on (pure: no cloud calls here).

With an inventory, a host's groups are the file's; each service is shown under the first of
its natural groups the host is in (an Open vSwitch agent on a network host belongs to
network, on a compute host to compute). Hosts the inventory names that no service reports
are missing; services on hosts it does not name are unknown. Without an inventory the
groups are inferred from the services, and the page says so.
"""

from dataclasses import dataclass, field

from .inventory import KOLLA_GROUPS

L2_AGENTS = ("neutron-openvswitch-agent", "neutron-linuxbridge-agent", "ovn-controller",
             "neutron-sriov-nic-agent", "neutron-ovn-metadata-agent")
# binary -> the Kolla groups it runs in, the likeliest first
NATURAL = {
    "nova-compute": ("compute",),
    "nova-scheduler": ("control",), "nova-conductor": ("control",),
    "nova-consoleauth": ("control",), "cinder-scheduler": ("control",),
    "neutron-l3-agent": ("network",), "neutron-dhcp-agent": ("network",),
    "neutron-metadata-agent": ("network",), "neutron-ovn-metadata-agent": ("compute", "network"),
    "cinder-volume": ("storage",), "cinder-backup": ("storage",),
    **{agent: ("network", "compute") for agent in L2_AGENTS
       if agent != "neutron-ovn-metadata-agent"},
}


@dataclass
class Service:
    """One Nova service, Neutron agent or Cinder service, in the words the page uses."""

    key: str                 # unique on the page: "nova-<id>", "agent-<id>", "cinder-…"
    source: str              # "nova", "neutron", "cinder"
    id: str
    binary: str
    host: str                # as the service reports it (cinder: host@backend)
    up: bool
    enabled: bool
    heartbeat: str | None
    disabled_reason: str | None = None
    zone: str | None = None
    forced_down: bool = False

    @property
    def machine(self) -> str:
        """The host name the inventory would use: no @backend, no domain."""
        return short(self.host.split("@", 1)[0])

    @property
    def can_toggle(self) -> bool:
        """Nova lets an admin enable and disable nova-compute services only."""
        return self.source == "nova" and self.binary == "nova-compute"


@dataclass
class Host:
    name: str
    groups: list[str]
    services: list[Service] = field(default_factory=list)
    vars: dict = field(default_factory=dict)
    hypervisor: dict | None = None      # {"id", "name"} of its Nova hypervisor
    in_inventory: bool = True

    @property
    def missing(self) -> bool:
        return self.in_inventory and not self.services

    @property
    def down(self) -> list[Service]:
        return [s for s in self.services if not s.up]


@dataclass
class Layout:
    inferred: bool
    groups: dict[str, list[tuple[Host, list[Service]]]]   # group -> hosts and their services
    unknown: list[Host]
    hosts: dict[str, Host]

    @property
    def missing(self) -> list[Host]:
        return [h for h in self.hosts.values() if h.missing]

    @property
    def services(self) -> list[Service]:
        return [s for h in self.hosts.values() for s in h.services]


def short(name: str) -> str:
    return name.split(".", 1)[0].lower()


def _home(service: Service, groups: list[str]) -> str:
    """Which of the host's groups a service is shown under."""
    for group in NATURAL.get(service.binary, ("control",)):
        if group in groups:
            return group
    return groups[0]


def _inferred_groups(services: list[Service]) -> list[str]:
    binaries = {s.binary for s in services}
    found = set()
    for s in services:
        natural = NATURAL.get(s.binary, ("control",))
        if s.binary in L2_AGENTS and "nova-compute" in binaries:
            found.add("compute")   # every compute host runs one: it says nothing more
        else:
            found.add(natural[0])
    return [g for g in KOLLA_GROUPS if g in found]


def lay_out(services: list[Service], inventory=None, hypervisors=()) -> Layout:
    """Hosts by Kolla group, from the inventory when there is one, else inferred."""
    by_machine: dict[str, list[Service]] = {}
    for s in services:
        by_machine.setdefault(s.machine, []).append(s)
    hosts: dict[str, Host] = {}
    if inventory is not None:
        for name in sorted(inventory.hosts, key=_natural_key):
            hosts[short(name)] = Host(name, inventory.groups_of(name),
                                      vars=inventory.hostvars.get(name, {}))
    unknown = []
    for machine, found in sorted(by_machine.items(), key=lambda kv: _natural_key(kv[0])):
        host = hosts.get(machine)
        if host is None:
            host = hosts[machine] = Host(found[0].host.split("@", 1)[0],
                                         _inferred_groups(found),
                                         in_inventory=inventory is None)
            if inventory is not None:
                unknown.append(host)
        host.services = sorted(found, key=lambda s: (s.source, s.binary))
    for hv in hypervisors:
        host = hosts.get(short(hv["name"]))
        if host is not None:
            host.hypervisor = hv
    groups: dict[str, list] = {g: [] for g in KOLLA_GROUPS}
    for host in hosts.values():
        if host in unknown:
            continue
        shown = {g: [] for g in host.groups}
        for s in host.services:
            shown[_home(s, host.groups)].append(s)
        for g in host.groups:
            if g in groups:
                groups[g].append((host, shown[g]))
    return Layout(inferred=inventory is None, groups=groups, unknown=unknown, hosts=hosts)


def _natural_key(name: str):
    """compute2 before compute10."""
    import re

    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
