"""qemu behind a server's console: a real VNC and SPICE server per server.

Today (`--qemu`) each guest is diskless: SeaBIOS runs, finds nothing to boot and says so,
which is enough for real VNC and SPICE consoles. Issue 7's tiny Linux guests reuse
`launch()` with `extra_args` (kernel, initrd, NIC, serial log, monitor) and more memory.
"""

import asyncio
import logging
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import children

log = logging.getLogger("devcloud.qemu")

QEMU = "qemu-system-x86_64"
VNC_BASE = 5900          # qemu's -vnc takes a display number: port = 5900 + N


def binary() -> str | None:
    return shutil.which(QEMU)


def free_port(host: str = "127.0.0.1") -> int:
    # Ephemeral ports are all above 5900, so any of them is a valid VNC display.
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class Guest:
    name: str
    process: subprocess.Popen
    host: str
    vnc_port: int
    spice_port: int | None
    log_path: Path | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    async def ready(self, timeout: float = 10.0) -> bool:
        """Wait until qemu's VNC (and SPICE) sockets accept connections."""
        deadline = time.monotonic() + timeout
        ports = [p for p in (self.vnc_port, self.spice_port) if p]
        while time.monotonic() < deadline and self.alive:
            if all([await _accepts(self.host, p) for p in ports]):
                return True
            await asyncio.sleep(0.05)
        return False

    def stop(self) -> None:
        children.end(self.process)
        if self.log_path:
            self.log_path.unlink(missing_ok=True)

    def failure(self) -> str:
        """qemu's own words on why it exited, for the log."""
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace").strip()[-500:]
        return f"exit status {self.process.returncode}"


async def _accepts(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection(host, port)
    except OSError:
        return False
    writer.close()
    return True


def launch(name: str, *, host: str = "127.0.0.1", memory_mb: int = 64, spice: bool = True,
           extra_args: tuple[str, ...] = (), log_dir: Path | None = None) -> Guest:
    """Start qemu now (no waiting: see Guest.ready()); the caller owns the Guest."""
    vnc_port = free_port(host)
    spice_port = free_port(host) if spice else None
    args = [
        QEMU, "-name", name, "-nodefaults", "-no-user-config",
        "-machine", "pc", "-accel", "tcg,tb-size=32",   # no KVM here; small code cache
        "-m", str(memory_mb), "-vga", "std", "-display", "none", "-nic", "none",
        "-vnc", f"{host}:{vnc_port - VNC_BASE}",
    ]
    if spice_port:
        args += ["-spice", f"port={spice_port},addr={host},disable-ticketing=on"]
    args += list(extra_args)
    log_path = None
    out = subprocess.DEVNULL
    if log_dir:
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{name}.log"
        out = open(log_path, "wb")
    try:
        proc = children.spawn(args, stdin=subprocess.DEVNULL, stdout=out,
                              stderr=subprocess.STDOUT)
    finally:
        if out is not subprocess.DEVNULL:
            out.close()
    log.info("qemu %s: pid %s, VNC %s:%s, SPICE %s", name, proc.pid, host, vnc_port,
             spice_port)
    return Guest(name, proc, host, vnc_port, spice_port, log_path)
