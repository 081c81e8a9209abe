"""The console log a cirros-like guest prints while booting, ending with its DHCP lease.

The portal parses the udhcpc lines and the `ip addr` block, and a real busybox guest prints
the same shapes, so these lines must not change form.
"""

import ipaddress

KERNEL = [
    "[    0.000000] Linux version 5.15.0-71-generic (buildd@lcy02-amd64-044) (gcc (Ubuntu "
    "11.3.0-1ubuntu1~22.04) 11.3.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #78-Ubuntu SMP",
    "[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=LABEL=cirros-rootfs ro "
    "console=tty1 console=ttyS0",
    "[    0.000000] BIOS-provided physical RAM map:",
    "[    0.004000] Hypervisor detected: KVM",
    "[    0.132512] smpboot: CPU0: Intel Core Processor (Haswell, no TSX)",
    "[    0.498217] virtio_net virtio0 eth0: renamed from eth0",
    "[    1.102934] EXT4-fs (vda1): mounted filesystem with ordered data mode.",
    "[    1.288671] Run /init as init process",
    "Starting syslogd: OK",
    "Starting klogd: OK",
    "Running sysctl: OK",
    "Initializing random number generator: OK",
    "Saving random seed: OK",
    "Starting acpid: OK",
    "Starting network: OK",
]


def _prefix(cidr: str | None) -> tuple[int, str]:
    try:
        net = ipaddress.ip_network(cidr or "")
        return net.prefixlen, str(net.broadcast_address)
    except ValueError:
        return 24, ""


def lease_lines(ip: str, server_ip: str) -> list[str]:
    return ["udhcpc: started, v1.35.0",
            "udhcpc: broadcasting discover",
            f"udhcpc: broadcasting select for {ip}, server {server_ip}",
            f"udhcpc: lease of {ip} obtained from {server_ip}, lease time 86400"]


def ip_addr_block(nics: list[dict]) -> list[str]:
    lines = ["1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000",
             "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
             "    inet 127.0.0.1/8 scope host lo"]
    for index, nic in enumerate(nics):
        dev = f"eth{index}"
        lines.append(f"{index + 2}: {dev}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu "
                     f"{nic.get('mtu') or 1450} qdisc pfifo_fast qlen 1000")
        lines.append(f"    link/ether {nic['mac']} brd ff:ff:ff:ff:ff:ff")
        for ip, cidr in nic["ips"]:
            plen, brd = _prefix(cidr)
            brd_part = f" brd {brd}" if brd else ""
            lines.append(f"    inet {ip}/{plen}{brd_part} scope global {dev}")
    return lines


def boot_log(server: dict, nics: list[dict]) -> str:
    """nics: [{"mac", "mtu", "ips": [(ip, cidr)], "dhcp": {ip: dhcp_server_ip}}]."""
    hostname = server.get("hostname") or server["name"]
    lines = list(KERNEL)
    for nic in nics:
        for ip, _ in nic["ips"]:
            if ":" in ip:
                continue  # udhcpc is IPv4 only
            lines += lease_lines(ip, nic["dhcp"].get(ip) or ip)
    lines += ["Starting dropbear sshd: OK", "GROWROOT: NOCHANGE: partition 1 is size 2072543",
              "=== network info ==="]
    lines += ip_addr_block(nics)
    lines += ["=== datasource: ec2 net ===", "instance-id: " + server["id"],
              f"name: {server['name']}", "=== cirros: current=0.6.2 latest=0.6.2 ===",
              "", "login as 'cirros' user. default password: 'gocubsgo'. use 'sudo' for root.",
              f"{hostname} login: "]
    return "\n".join(lines) + "\n"


def shutdown_lines() -> str:
    return ("Stopping network: OK\nSaving random seed: OK\nStopping klogd: OK\n"
            "Stopping syslogd: OK\numount: devtmpfs busy - remounted read-only\n"
            "The system is going down NOW!\nSent SIGTERM to all processes\n"
            "Requesting system poweroff\n[  123.456789] reboot: Power down\n")
