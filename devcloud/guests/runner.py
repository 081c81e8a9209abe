"""One qemu per server: the boot queue, the cap, monitor actions and noticing deaths.

- Cap: at most `cap` guests exist at once (queued, booting or running). The default comes
  from free memory (~220 MiB RSS per guest at -m 128 with VNC and SPICE, measured by
  bench/tiny_guests.py; 1 GiB left for the rest), since memory, not CPU, bounds how many
  can run. Over the cap, `launch` raises CapReached and
  the caller falls back to a plain console.
- Boot queue: a boot costs ~3.7 CPU-seconds under TCG; ten at once on two cores take 15-18 s
  each, ten in a row ~4 s each. So at most `boot_slots` guests (default: one per CPU) boot
  at a time; a slot is held from launch until the login prompt shows in the serial log.
- Reaping: a poller notices a qemu that exits without being asked to and calls `on_exit`.
"""

import asyncio
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import children, qemu
from ..qemu import Guest as QemuProcess
from . import monitor
from .image import Image
from .network import Nic, qemu_args

log = logging.getLogger("devcloud.guests")

GUEST_MEMORY_MB = 128         # 80 boots, 64 hangs silently (tinyvm-facts.md)
GUEST_RSS_MIB = 220
RESERVED_MIB = 1024
BOOT_TIMEOUT = 90.0           # a boot slot is given back by then even if no prompt showed
CONSOLE_LOG_MAX = 100 * 1024  # Nova's libvirt driver returns at most the last 100 KiB
LIVE = ("queued", "booting", "running")


class CapReached(RuntimeError):
    pass


class LaunchFailed(RuntimeError):
    pass


def default_cap(guest_mib: int = GUEST_RSS_MIB) -> int:
    try:
        meminfo = Path("/proc/meminfo").read_text()
        avail_mib = int(re.search(r"MemAvailable:\s+(\d+)", meminfo).group(1)) // 1024
    except (OSError, AttributeError):
        return 4
    return max(1, (avail_mib - RESERVED_MIB) // guest_mib)


@dataclass(frozen=True)
class GuestSpec:
    server_id: str
    hostname: str
    nic: Nic


@dataclass
class TinyGuest:
    spec: GuestSpec
    serial_log: Path
    monitor: Path
    state: str = "queued"      # queued → booting → running; stopped (asked); dead (not asked)
    qemu: QemuProcess | None = None
    launched: float | None = None   # time.monotonic() of each mark
    leased: float | None = None
    booted: float | None = None
    returncode: int | None = None
    boots: int = 0                  # launches and resets: the serial log holds them all
    _slot: bool = field(default=False, repr=False)

    @property
    def server_id(self) -> str:
        return self.spec.server_id

    @property
    def alive(self) -> bool:
        return self.qemu is not None and self.qemu.alive

    @property
    def pid(self) -> int | None:
        return self.qemu.process.pid if self.qemu else None

    @property
    def host(self) -> str | None:
        return self.qemu.host if self.qemu else None

    @property
    def vnc_port(self) -> int | None:
        return self.qemu.vnc_port if self.qemu else None

    @property
    def spice_port(self) -> int | None:
        return self.qemu.spice_port if self.qemu else None

    def console_log(self, limit: int = CONSOLE_LOG_MAX) -> str:
        """The serial log as Nova returns it: text, newline-ended lines, the tail only."""
        try:
            with open(self.serial_log, "rb") as f:
                size = f.seek(0, os.SEEK_END)
                f.seek(max(0, size - limit))
                raw = f.read()
        except FileNotFoundError:
            return ""
        text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
        return _CONTROL.sub("", text)


_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")


class Runner:
    def __init__(self, image: Image, workdir: Path, *, host: str = "127.0.0.1",
                 cap: int | None = None, boot_slots: int | None = None, spice: bool = True,
                 memory_mb: int = GUEST_MEMORY_MB, boot_timeout: float = BOOT_TIMEOUT,
                 on_exit: Callable[[TinyGuest], None] | None = None):
        self.image = image
        self.workdir = Path(workdir)
        self.host = host
        self.cap = cap or default_cap()
        self.boot_slots = boot_slots or max(1, os.cpu_count() or 1)
        self.spice = spice
        self.memory_mb = memory_mb
        self.boot_timeout = boot_timeout
        self.on_exit = on_exit
        self.guests: dict[str, TinyGuest] = {}
        self._slots = asyncio.Semaphore(self.boot_slots)
        # unix socket paths are limited to 108 bytes; a test's state dir can be longer.
        self._sockets = Path(tempfile.mkdtemp(prefix="devcloud-guests-"))
        self._tasks: set[asyncio.Task] = set()
        self._reaper: asyncio.Task | None = None

    # --- counts --------------------------------------------------------------------
    def live_count(self) -> int:
        return sum(g.state in LIVE for g in self.guests.values())

    def status(self) -> dict:
        states: dict[str, int] = {}
        for g in self.guests.values():
            states[g.state] = states.get(g.state, 0) + 1
        return {"cap": self.cap, "boot_slots": self.boot_slots, "guests": states,
                "kernel": self.image.describe()}

    # --- lifecycle -------------------------------------------------------------------
    async def launch(self, spec: GuestSpec) -> TinyGuest:
        """Queue the guest for a boot slot and start qemu; returns once qemu runs (its VNC
        answers), before the guest has booted. CapReached over the cap, LaunchFailed if
        qemu would not start."""
        self._ensure_reaper()
        guest = self.guests.get(spec.server_id)
        if guest is not None and guest.state in LIVE:
            return guest
        if self.live_count() >= self.cap:
            raise CapReached(f"{self.live_count()} tiny guests are running, the cap is "
                             f"{self.cap}")
        self.workdir.mkdir(parents=True, exist_ok=True)
        if guest is None:
            guest = TinyGuest(spec, self.workdir / f"{spec.server_id}.serial.log",
                              self._sockets / f"{spec.server_id}.monitor")
            self.guests[spec.server_id] = guest
        guest.state = "queued"
        await self._slots.acquire()
        guest._slot = True
        try:
            if guest.state != "queued":   # stopped or removed while it waited
                raise LaunchFailed(f"guest {spec.server_id} was {guest.state} before booting")
            self._spawn(guest)
            if not await guest.qemu.ready(10):  # _spawn set guest.qemu
                reason = guest.qemu.failure()
                guest.state = "dead"
                await asyncio.to_thread(guest.qemu.stop)
                raise LaunchFailed(f"qemu did not start: {reason}")
        except BaseException:
            self._release(guest)
            raise
        self._track(self._watch_boot(guest, guest.boots))
        return guest

    def _spawn(self, guest: TinyGuest) -> None:
        spec = guest.spec
        guest.monitor.unlink(missing_ok=True)
        hostname = re.sub(r"[^A-Za-z0-9-]", "-", spec.hostname)[:63] or "guest"
        cmdline = ["console=tty0", "console=ttyS0", f"devcloud_host={hostname}"]
        if spec.nic.gateway:
            cmdline.append(f"devcloud_gw={spec.nic.gateway}")
        args = ["-kernel", str(self.image.kernel), "-initrd", str(self.image.initrd),
                "-append", " ".join(cmdline), *qemu_args(spec.nic),
                # append=on: a relaunch (stop/start) adds to the log, as Nova's console log.
                "-chardev", f"file,id=serial0,path={guest.serial_log},append=on",
                "-serial", "chardev:serial0",
                "-monitor", f"unix:{guest.monitor},server,nowait"]
        guest.qemu = qemu.launch(f"devcloud-{spec.server_id}", host=self.host,
                                 memory_mb=self.memory_mb, spice=self.spice,
                                 extra_args=tuple(args), log_dir=self.workdir)
        guest.state = "booting"
        guest.launched = time.monotonic()
        guest.leased = guest.booted = guest.returncode = None
        guest.boots += 1

    async def _watch_boot(self, guest: TinyGuest, boot: int) -> None:
        """Mark the lease and the login prompt as they appear; give the boot slot back."""
        start = _log_size(guest.serial_log)
        deadline = time.monotonic() + self.boot_timeout
        try:
            while guest.boots == boot and guest.state == "booting" and guest.alive:
                text = _read_from(guest.serial_log, start)
                if guest.leased is None and "udhcpc: lease of" in text:
                    guest.leased = time.monotonic()
                if " login: " in text or text.rstrip().endswith("login:"):
                    guest.booted = time.monotonic()
                    guest.state = "running"
                    break
                if time.monotonic() > deadline:
                    log.warning("guest %s: no login prompt after %.0f s", guest.server_id,
                                self.boot_timeout)
                    guest.state = "running"
                    break
                await asyncio.sleep(0.2)
        finally:
            self._release(guest)

    def _release(self, guest: TinyGuest) -> None:
        if guest._slot:
            guest._slot = False
            self._slots.release()

    async def reset(self, server_id: str) -> None:
        """Reboot (soft or hard): the guest boots again from its kernel, keeps its MAC and
        gets the same lease."""
        guest = self._get(server_id)
        await monitor.command(guest.monitor, "system_reset")
        guest.boots += 1
        guest.state = "booting"
        guest.leased = guest.booted = None
        self._track(self._watch_boot(guest, guest.boots))

    async def pause(self, server_id: str) -> None:
        await monitor.command(self._get(server_id).monitor, "stop")

    async def resume(self, server_id: str) -> None:
        await monitor.command(self._get(server_id).monitor, "cont")

    async def power_off(self, server_id: str) -> None:
        """Stop: qemu quits (its memory and cap place are freed); the serial log stays for
        the next launch to append to."""
        guest = self.guests.get(server_id)
        if guest is None or guest.qemu is None:
            return
        guest.state = "stopped"
        self._release(guest)
        try:
            await monitor.command(guest.monitor, "quit")
        except monitor.MonitorError:
            pass
        await asyncio.to_thread(children.end, guest.qemu.process)
        guest.returncode = guest.qemu.process.returncode
        guest.monitor.unlink(missing_ok=True)

    async def remove(self, server_id: str) -> None:
        """Delete: end qemu and remove every file the guest had."""
        guest = self.guests.pop(server_id, None)
        if guest is None:
            return
        guest.state = "stopped"
        self._release(guest)
        if guest.qemu is not None:
            await asyncio.to_thread(guest.qemu.stop)    # also removes qemu's own log
        for path in (guest.serial_log, guest.monitor):
            path.unlink(missing_ok=True)

    def _get(self, server_id: str) -> TinyGuest:
        guest = self.guests.get(server_id)
        if guest is None or not guest.alive:
            raise LaunchFailed(f"no running guest for {server_id}")
        return guest

    # --- noticing deaths ---------------------------------------------------------------
    def _ensure_reaper(self) -> None:
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.get_running_loop().create_task(self._reap())

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            for guest in list(self.guests.values()):
                if guest.state in ("booting", "running") and guest.qemu and not guest.alive:
                    guest.state = "dead"
                    guest.returncode = guest.qemu.process.returncode
                    self._release(guest)
                    log.warning("guest %s: qemu exited (%s) without being asked",
                                guest.server_id, guest.returncode)
                    if self.on_exit is not None:
                        try:
                            self.on_exit(guest)
                        except Exception:
                            log.exception("on_exit for %s failed", guest.server_id)

    def _track(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- shutdown ----------------------------------------------------------------------
    def end_all(self) -> None:
        """End every qemu now (synchronous: also safe from atexit)."""
        for guest in self.guests.values():
            if guest.qemu is not None and guest.state != "stopped":
                guest.state = "stopped"
                children.end(guest.qemu.process)
        shutil.rmtree(self._sockets, ignore_errors=True)

    async def close(self) -> None:
        for task in [*self._tasks, self._reaper]:
            if task is not None:
                task.cancel()
        await asyncio.to_thread(self.end_all)


def _log_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _read_from(path: Path, offset: int) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""
