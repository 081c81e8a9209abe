"""The guest image's parts, without qemu: the cpio archive, /init, the slirp arguments."""

import gzip
import ipaddress

import pytest

from devcloud.guests import initramfs, network
from devcloud.guests.cpio import Archive


def _entries(raw: bytes) -> dict[str, tuple[int, int, bytes]]:
    """Parse newc cpio: name -> (mode, rdevmajor, data); stops at the trailer."""
    out, pos = {}, 0
    while True:
        assert raw[pos:pos + 6] == b"070701"
        fields = [int(raw[pos + 6 + 8 * i: pos + 14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = fields[11], fields[6]
        name_start = pos + 110
        name = raw[name_start:name_start + namesize - 1].decode()
        data_start = name_start + namesize + (-(110 + namesize) % 4)
        data = raw[data_start:data_start + filesize]
        pos = data_start + filesize + (-filesize % 4)
        if name == "TRAILER!!!":
            return out
        out[name] = (fields[1], fields[9], data)


def test_cpio_archive_is_newc_with_device_nodes(tmp_path):
    a = Archive()
    a.dirs("etc/x")
    a.file("etc/x/hello", b"hello world", 0o755)
    a.symlink("bin/sh", "busybox")
    a.chardev("dev/console", 5, 1)
    a.write(tmp_path / "i.gz")
    entries = _entries(gzip.decompress((tmp_path / "i.gz").read_bytes()))
    assert set(entries) == {"etc", "etc/x", "etc/x/hello", "bin/sh", "dev/console"}
    mode, _, data = entries["etc/x/hello"]
    assert data == b"hello world" and mode == 0o100755
    assert entries["bin/sh"][2] == b"busybox"
    assert entries["dev/console"][:2] == (0o020600, 5)
    with pytest.raises(ValueError):
        a.file("etc/x/hello", b"again")


def test_init_loads_virtio_net_in_dependency_order_and_prints_the_lease():
    script = initramfs.init_script()
    assert "insmod" in script and " ".join(initramfs.MODULES) in script
    assert initramfs.MODULES[-1] == "virtio_net" and initramfs.MODULES[0] == "virtio_ring"
    assert "udhcpc -i eth0" in script and "ip route add default via" in script
    assert "dmesg -n 1" in script and "tee /dev/tty1" in script
    assert "devcloud_gw=" in script and "@" not in script.replace("login as", "")


def test_slirp_hands_the_port_ip_to_the_port_mac_and_keeps_everything_local():
    nic = network.Nic("fa:16:3e:aa:bb:cc", "10.1.2.70", "10.1.2.64/26", "10.1.2.65")
    netdev, device = network.qemu_args(nic)[1], network.qemu_args(nic)[3]
    opts = dict(kv.split("=", 1) for kv in netdev.split(",")[1:])
    assert opts["net"] == "10.1.2.64/26" and opts["host"] == "10.1.2.65"
    assert opts["dhcpstart"] == "10.1.2.70" and opts["restrict"] == "on"
    dns = ipaddress.ip_address(opts["dns"])
    assert dns in ipaddress.ip_network("10.1.2.64/26") and str(dns) not in (nic.ip, nic.gateway)
    assert "mac=fa:16:3e:aa:bb:cc" in device and device.startswith("virtio-net-pci,")


def test_slirp_answers_dhcp_from_the_dhcp_port_address_not_the_gateway():
    nic = network.Nic("fa:16:3e:aa:bb:cc", "10.0.0.7", "10.0.0.0/24", "10.0.0.1", "10.0.0.2")
    opts = dict(kv.split("=", 1) for kv in network.qemu_args(nic)[1].split(",")[1:])
    assert opts["host"] == "10.0.0.2"
    assert opts["dns"] not in ("10.0.0.1", "10.0.0.2", "10.0.0.7")
    with pytest.raises(ValueError, match="DHCP server"):
        network.Nic("fa:16:3e:aa:bb:cc", "10.0.0.7", "10.0.0.0/24", None, "10.9.0.2").check()


def test_a_subnet_without_gateway_still_gets_a_slirp_host_address():
    nic = network.Nic("fa:16:3e:00:00:01", "192.168.0.1", "192.168.0.0/30")
    assert nic.slirp_host() == "192.168.0.2"
    assert nic.dns() not in ("192.168.0.1", "192.168.0.2")


@pytest.mark.parametrize("ip,cidr,gw", [("fd00::5", "fd00::/64", None),
                                        ("10.0.1.5", "10.0.0.0/24", "10.0.0.1"),
                                        ("10.0.0.5", "10.0.0.0/24", "10.9.0.1")])
def test_nics_qemu_cannot_serve_are_refused(ip, cidr, gw):
    with pytest.raises(ValueError):
        network.qemu_args(network.Nic("fa:16:3e:00:00:01", ip, cidr, gw))
