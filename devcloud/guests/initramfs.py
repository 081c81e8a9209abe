"""What goes inside the tiny guest's initramfs: busybox, the virtio-net modules and /init.

The guest is the seed's boot step and nothing more: load the NIC driver, ask DHCP for an
address (user-mode networking answers with exactly the Neutron port's IP for the port's
MAC), add the default route, print the lease and `ip addr` in the shapes the portal parses,
then offer a login on the VGA console (VNC/SPICE) and on the serial port (console log).
"""

from pathlib import Path

from .cpio import Archive

# The cloud kernel has virtio networking as modules and no modules.dep: this order follows
# the `depends=` strings inside the .ko files (tinyvm-facts.md).
MODULES = ["virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
           "virtio_pci", "failover", "net_failover", "virtio_net"]

LOGIN = "root"          # no password: a throwaway guest on loopback-only networking
BANNER = f"login as '{LOGIN}' (no password)"

# Kernel command line words devcloud passes to /init (not dotted: dotted words are module
# parameters and never reach user space).
CMDLINE_GATEWAY = "devcloud_gw"
CMDLINE_HOSTNAME = "devcloud_host"

INIT = r"""#!/bin/busybox sh
# devcloud tiny guest: mount, load virtio-net, DHCP, default route, then getty on both consoles.
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /tmp /run /root
mount -t devpts devpts /dev/pts

GW= HOST=guest
for word in $(cat /proc/cmdline); do
  case "$word" in
    @GW@=*) GW="${word#*=}" ;;
    @HOST@=*) HOST="${word#*=}" ;;
  esac
done
hostname "$HOST"

boot() {
  echo "devcloud tiny guest: loading virtio-net"
  for m in @MODULES@; do insmod "/lib/modules/$m.ko" || echo "insmod $m failed"; done
  # Late kernel messages would land on the login prompt.
  dmesg -n 1
  ip link set lo up
  ip link set eth0 up
  # The lease lines ("udhcpc: lease of IP obtained from SERVER, lease time N") are what the
  # portal looks for; -q: one lease and quit, the guest lives shorter than the lease.
  if udhcpc -i eth0 -f -q -t 10 -T 1 -n -s /etc/udhcpc.script; then
    # restrict=on keeps slirp from sending the router option: the gateway comes from devcloud.
    [ -n "$GW" ] && ip route add default via "$GW" dev eth0
  else
    echo "udhcpc: no lease"
  fi
  echo "=== network info ==="
  ip addr
  ip route
  echo "=== $(uname -sr) on $HOST ==="
  echo "@BANNER@"
}
# /dev/console is the serial port (the last console=); VNC shows tty1, so copy it there too.
boot 2>&1 | tee /dev/tty1
exec /sbin/init
"""

UDHCPC_SCRIPT = r"""#!/bin/sh
# udhcpc calls this with deconfig / bound / renew / nak and the lease in the environment.
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/$mask" ${broadcast:+broadcast "$broadcast"} dev "$interface"
    : > /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done ;;
esac
exit 0
"""

INITTAB = """tty1::respawn:/sbin/getty 38400 tty1 linux
ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100
::ctrlaltdel:/sbin/reboot
"""

ISSUE = f"""
devcloud tiny guest, Linux \\r (\\l)
{BANNER}

"""

PROFILE = """export PATH=/sbin:/bin:/usr/sbin:/usr/bin
export PS1='\\h:\\w# '
"""


def init_script() -> str:
    return (INIT.replace("@GW@", CMDLINE_GATEWAY).replace("@HOST@", CMDLINE_HOSTNAME)
            .replace("@MODULES@", " ".join(MODULES)).replace("@BANNER@", BANNER))


def build(busybox: Path, modules: dict[str, bytes], out: Path) -> None:
    """busybox: the static binary; modules: name -> uncompressed .ko bytes."""
    missing = [m for m in MODULES if m not in modules]
    if missing:
        raise ValueError(f"kernel package lacks modules: {', '.join(missing)}")
    a = Archive()
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp",
              "run", "root", "lib/modules"):
        a.dirs(d)
    # The kernel opens /dev/console for /init before devtmpfs is mounted.
    a.chardev("dev/console", 5, 1)
    a.file("bin/busybox", busybox.read_bytes(), 0o755)
    a.symlink("bin/sh", "busybox")
    a.file("init", init_script().encode(), 0o755)
    a.file("etc/udhcpc.script", UDHCPC_SCRIPT.encode(), 0o755)
    a.file("etc/inittab", INITTAB.encode())
    a.file("etc/issue", ISSUE.encode())
    a.file("etc/profile", PROFILE.encode())
    a.file("etc/passwd", f"{LOGIN}::0:0:{LOGIN}:/root:/bin/sh\n".encode())
    a.file("etc/group", b"root:x:0:\n")
    a.file("etc/shells", b"/bin/sh\n")
    for name in MODULES:
        a.file(f"lib/modules/{name}.ko", modules[name])
    a.write(out)
