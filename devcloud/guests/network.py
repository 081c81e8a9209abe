"""The qemu arguments that make user-mode networking play Neutron's DHCP agent for one port.

slirp's built-in DHCP server hands its first client `dhcpstart`; with the port's MAC on the
NIC and the port's fixed IP as `dhcpstart`, the guest's udhcpc gets exactly what Neutron
allocated. slirp answers from its `host=` address, so that is the subnet's DHCP port address
(the `network:dhcp` port, as the lease from Neutron's dnsmasq names it), not the gateway.
`restrict=on` keeps every packet on the machine (and drops the router option, so the gateway
travels on the kernel command line instead).
"""

import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True)
class Nic:
    mac: str
    ip: str
    cidr: str
    gateway: str | None = None
    dhcp_server: str | None = None  # the subnet's network:dhcp port address

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(self.cidr, strict=False)

    def slirp_host(self) -> str:
        """slirp's own address in the subnet, the DHCP server the lease names: the DHCP
        port's address, else the gateway, else the first free host."""
        if self.dhcp_server:
            return self.dhcp_server
        if self.gateway:
            return self.gateway
        return str(self._free({self.ip}))

    def dns(self) -> str:
        # slirp insists that dns= lies inside net=; any address it does not hand out will do.
        taken = {self.ip, self.slirp_host(), self.gateway or self.ip}
        return str(self._free(taken, from_top=True))

    def _free(self, taken: set[str], from_top: bool = False) -> ipaddress.IPv4Address:
        hosts = list(self.network.hosts()) or [self.network.network_address]
        for addr in (reversed(hosts) if from_top else hosts):
            if str(addr) not in taken:
                return addr
        return self.network.broadcast_address

    def check(self) -> None:
        """ValueError when qemu could not be given this NIC (IPv6, IP outside the CIDR)."""
        ip = ipaddress.ip_address(self.ip)
        if ip.version != 4:
            raise ValueError(f"{self.ip}: the tiny guest does DHCP for IPv4 only")
        if ip not in self.network:
            raise ValueError(f"{self.ip} is not inside {self.cidr}")
        for name, addr in (("gateway", self.gateway), ("DHCP server", self.dhcp_server)):
            if addr and ipaddress.ip_address(addr) not in self.network:
                raise ValueError(f"{name} {addr} is not inside {self.cidr}")


def qemu_args(nic: Nic, netdev_id: str = "n0") -> list[str]:
    nic.check()
    netdev = (f"user,id={netdev_id},net={nic.network},host={nic.slirp_host()},"
              f"dhcpstart={nic.ip},dns={nic.dns()},restrict=on")
    # romfile= : no iPXE option ROM (the kernel is given directly; saves memory and time).
    device = f"virtio-net-pci,netdev={netdev_id},mac={nic.mac},romfile="
    return ["-netdev", netdev, "-device", device]
