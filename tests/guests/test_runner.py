"""The tiny guest runner on its own: real qemu, real kernel, real DHCP from slirp."""

import asyncio
import os
import re
import time

import pytest

from devcloud.guests import monitor
from devcloud.guests.network import Nic
from devcloud.guests.runner import CapReached, GuestSpec, Runner

pytestmark = pytest.mark.qemu


@pytest.fixture
async def runner(guest_image, tmp_path):
    r = Runner(guest_image, tmp_path / "guests", boot_slots=2, cap=3, spice=False)
    yield r
    pids = [g.pid for g in r.guests.values() if g.pid]
    await r.close()
    assert not [p for p in pids if _running(p)], "qemu left behind"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


async def _until(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def _spec(n: int, ip: str, cidr: str, gw: str | None) -> GuestSpec:
    return GuestSpec(f"server-{n}", f"guest-{n}", Nic(f"fa:16:3e:12:34:{n:02x}", ip, cidr, gw))


async def test_guest_takes_exactly_the_port_ip_by_dhcp_and_is_gone_after_remove(runner):
    spec = _spec(1, "10.42.7.67", "10.42.7.64/26", "10.42.7.65")
    guest = await runner.launch(spec)
    assert guest.alive and guest.state == "booting" and guest.vnc_port
    await _until(lambda: guest.booted, what="the login prompt")
    log = guest.console_log()
    leases = re.findall(r"udhcpc: lease of (\S+) obtained from (\S+), lease time \d+", log)
    assert leases == [("10.42.7.67", "10.42.7.65")]
    assert "link/ether fa:16:3e:12:34:01" in log
    assert "inet 10.42.7.67/26" in log
    assert "default via 10.42.7.65 dev eth0" in log
    assert "login as 'root'" in log and "guest-1 login:" in log
    assert "Linux version 6." in log                  # the kernel's own lines too
    pid, files = guest.pid, [guest.serial_log, guest.monitor]
    await runner.remove(spec.server_id)
    assert not _running(pid)
    assert not any(p.exists() for p in files)
    assert list(runner.workdir.iterdir()) == []


async def test_reset_boots_again_with_the_same_lease_and_stop_quits_qemu(runner):
    spec = _spec(2, "172.16.5.2", "172.16.5.0/24", "172.16.5.1")
    guest = await runner.launch(spec)
    await _until(lambda: guest.booted, what="first boot")
    await runner.reset(spec.server_id)
    await _until(lambda: guest.booted, what="boot after reset")
    assert guest.console_log().count("udhcpc: lease of 172.16.5.2 obtained") == 2
    pid = guest.pid
    await runner.power_off(spec.server_id)
    assert guest.state == "stopped" and not _running(pid)
    await runner.launch(spec)                                     # start: boots again
    await _until(lambda: guest.booted, what="boot after start")
    assert guest.pid != pid
    assert guest.console_log().count("udhcpc: lease of 172.16.5.2 obtained") == 3


async def test_pause_and_resume_through_the_monitor(runner):
    guest = await runner.launch(_spec(3, "10.0.0.9", "10.0.0.0/24", "10.0.0.1"))
    await runner.pause("server-3")
    assert "paused" in await monitor.command(guest.monitor, "info status")
    await runner.resume("server-3")
    assert "running" in await monitor.command(guest.monitor, "info status")


async def test_a_guest_that_dies_is_noticed(runner):
    died = []
    runner.on_exit = died.append
    guest = await runner.launch(_spec(4, "10.0.0.20", "10.0.0.0/24", "10.0.0.1"))
    os.kill(guest.pid, 9)
    await _until(lambda: died, timeout=5, what="on_exit")
    assert died == [guest] and guest.state == "dead" and guest.returncode == -9
    assert runner.live_count() == 0


async def test_cap_refuses_and_boot_queue_staggers(guest_image, tmp_path):
    r = Runner(guest_image, tmp_path / "g", boot_slots=1, cap=2, spice=False)
    try:
        first, second = await asyncio.gather(
            r.launch(_spec(5, "10.0.0.5", "10.0.0.0/24", "10.0.0.1")),
            r.launch(_spec(6, "10.0.0.6", "10.0.0.0/24", "10.0.0.1")))
        with pytest.raises(CapReached, match="cap is 2"):
            await r.launch(_spec(7, "10.0.0.7", "10.0.0.0/24", "10.0.0.1"))
        # One boot slot: the second qemu starts only once the first showed its prompt.
        assert second.launched >= first.booted
        await _until(lambda: second.booted, what="second boot")
    finally:
        await r.close()
    assert not _running(first.pid) and not _running(second.pid)
