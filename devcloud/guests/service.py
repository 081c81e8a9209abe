"""`--guests tiny`: the service behind cloud.services["guests"] that Nova and consoles call.

Nova (devcloud/compute/service.py) calls, only when `enabled`:
    await spawn(server) -> fault | None   BUILD/spawning: wait for a boot slot, start qemu;
                                          the server goes ACTIVE when this returns
    console_text(server, plain) -> str    os-getConsoleOutput: the guest's serial log
    await act(server, task)               powering-off / powering-on / rebooting(_hard)
    await delete(server_id)               qemu ends, its files go
    await resume(server)                  devcloud restarted: an ACTIVE server boots again
consoles (devcloud/consoles.py) calls:
    console_endpoint(console) -> bool     point the console at the guest's own VNC/SPICE
    enabled                               SPICE is offered (the guests have it)

A server that gets no guest (over the cap, no IPv4 port) keeps devcloud's plain console and
its console log says why. A guest that exits on its own makes its server SHUTOFF, as Nova's
power-state sync does ("Instance shutdown by itself. Calling the stop API.").
"""

import atexit
import ipaddress
import logging
import os
import tempfile
import time
from pathlib import Path

from aiohttp import web

from .. import qemu
from ..cloud import CLOUD_KEY, Cloud
from ..errors import CloudError
from .image import Image
from .network import Nic
from .runner import CapReached, GuestSpec, LaunchFailed, Runner, TinyGuest

log = logging.getLogger("devcloud.guests")
POWER_SHUTDOWN = 4


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


class Guests:
    def __init__(self, cloud: Cloud):
        self.cloud = cloud
        self.runner: Runner | None = None
        self.plain: dict[str, str] = {}     # server id -> why it has no guest
        self.reason = self._missing()
        if self.reason is None:
            state_dir = cloud.config.state_dir
            workdir = (Path(state_dir) / "guests" if state_dir
                       else Path(tempfile.mkdtemp(prefix="devcloud-guests-work-")))
            self.runner = Runner(Image.find(), workdir, host=self._local_host(),
                                 cap=_env_int("DEVCLOUD_GUEST_CAP"),
                                 boot_slots=_env_int("DEVCLOUD_GUEST_BOOT_SLOTS"),
                                 on_exit=self._died)
            atexit.register(self.runner.end_all)

    @property
    def enabled(self) -> bool:
        return self.runner is not None

    def _missing(self) -> str | None:
        if qemu.binary() is None:
            return f"{qemu.QEMU} is not installed (apt-get install qemu-system-x86)"
        if Image.find() is None:
            return "the guest kernel and initramfs are missing (make guest-image)"
        return None

    def _local_host(self) -> str:
        host = self.cloud.config.host
        return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host

    # --- start and stop: the message an operator sees ----------------------------------
    async def start(self) -> None:
        if not self.enabled:
            log.warning("--guests tiny: %s; servers get the plain console instead",
                        self.reason)
            return
        r = self.runner
        log.info("--guests tiny: every server boots %s under qemu; at most %d guests "
                 "(DEVCLOUD_GUEST_CAP), %d booting at a time (DEVCLOUD_GUEST_BOOT_SLOTS)",
                 r.image.describe(), r.cap, r.boot_slots)

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.close()

    # --- what Nova calls ---------------------------------------------------------------
    def _spec(self, server: dict) -> GuestSpec | None:
        """The first IPv4 fixed IP of the server's ports, with its subnet; None if none."""
        network = self.cloud.services["network"]
        for port in network.server_ports(server["id"]):
            for fixed in port.get("fixed_ips", []):
                if ipaddress.ip_address(fixed["ip_address"]).version != 4:
                    continue
                subnet = network.subnet(fixed["subnet_id"]) or {}
                if not subnet.get("cidr"):
                    continue
                nic = Nic(port["mac_address"], fixed["ip_address"], subnet["cidr"],
                          subnet.get("gateway_ip"), network.dhcp_server_ip(fixed["subnet_id"]))
                return GuestSpec(server["id"], server.get("hostname") or server["name"], nic)
        return None

    async def _launch(self, server: dict) -> str | None:
        """Start the guest; None when it runs or the server keeps a plain console,
        else qemu's words on why it would not start."""
        spec = self._spec(server)
        if spec is None:
            self.plain[server["id"]] = "the server has no IPv4 port for the guest's DHCP"
            return None
        try:
            await self.runner.launch(spec)
        except CapReached as err:
            self.plain[server["id"]] = str(err)
            log.warning("server %s: no tiny guest: %s", server["id"], err)
            return None
        except LaunchFailed as err:
            if self._gone(server):
                return None
            return str(err)
        self.plain.pop(server["id"], None)
        if self._gone(server):        # deleted while it waited for a boot slot
            await self.runner.remove(server["id"])
        return None

    @staticmethod
    def _gone(server: dict) -> bool:
        return bool(server.get("deleted")) or server.get("task_state") == "deleting"

    async def spawn(self, server: dict) -> str | None:
        fault = await self._launch(server)
        return f"Build of instance {server['id']} aborted: {fault}" if fault else None

    async def resume(self, server: dict) -> None:
        """After a devcloud restart the guests are gone: boot ACTIVE servers again, as Nova
        does with resume_guests_state_on_host_boot."""
        fault = await self._launch(server)
        if fault:
            log.warning("server %s: guest did not start again: %s", server["id"], fault)
            self._shut_off(server)

    async def act(self, server: dict, task: str) -> None:
        sid = server["id"]
        guest = self.runner.guests.get(sid)
        try:
            if task == "powering-off":
                await self.runner.power_off(sid)
            elif task in ("reboot_started", "reboot_started_hard", "rebooting",
                          "rebooting_hard") and guest is not None and guest.alive:
                await self.runner.reset(sid)
            else:  # powering-on, or a hard reboot of a server whose guest is not running
                fault = await self._launch(server)
                if fault:
                    self.plain[sid] = f"the guest did not start: {fault}"
        except LaunchFailed as err:       # the guest died under the action
            log.warning("server %s: %s: %s", sid, task, err)

    async def delete(self, server_id: str) -> None:
        self.plain.pop(server_id, None)
        await self.runner.remove(server_id)

    def console_text(self, server: dict, plain: str) -> str:
        guest = self.runner.guests.get(server["id"])
        if guest is not None:
            return guest.console_log()
        note = self.plain.get(server["id"])
        if note and plain:
            return (f"devcloud: no tiny guest for this server ({note}); "
                    "this console shows a simulated boot.\n" + plain)
        return plain

    # --- what consoles calls -----------------------------------------------------------
    def console_endpoint(self, console) -> bool:
        """Point a consoles.Console at its server's running guest (its qemu is the VNC and
        SPICE server); drop a guest that is no longer running so the plain console takes
        over. True when the guest serves the console."""
        guest = self.runner.guests.get(console.server_id)
        if guest is not None and guest.alive:
            console.guest = guest.qemu
            return True
        if guest is not None and console.guest is guest.qemu:
            console.guest = None
        return False

    # --- a guest that died -------------------------------------------------------------
    def _died(self, guest: TinyGuest) -> None:
        server = self.cloud.store["servers"].get(guest.server_id)
        if server is None or self._gone(server) or server["vm_state"] != "active":
            return
        log.warning("server %s: its guest exited (%s): SHUTOFF, as Nova's power sync does",
                    guest.server_id, guest.returncode)
        self._shut_off(server)

    def _shut_off(self, server: dict) -> None:
        compute = self.cloud.services["compute"]
        self.cloud.services["network"].set_ports_status(server["id"], "DOWN")
        compute.touch(server, vm_state="stopped", task_state=None, power_state=POWER_SHUTDOWN)
        compute.push_console(server)

    # --- admin view --------------------------------------------------------------------
    def status(self) -> dict:
        if not self.enabled:
            return {"enabled": False, "reason": self.reason}
        now = time.monotonic()

        def since(guest: TinyGuest, mark: float | None) -> float | None:
            return round(mark - guest.launched, 3) if mark and guest.launched else None

        guests = [{"server_id": g.server_id, "state": g.state, "pid": g.pid if g.alive else None,
                   "vnc_port": g.vnc_port, "spice_port": g.spice_port, "boots": g.boots,
                   "lease_s": since(g, g.leased), "login_s": since(g, g.booted),
                   "up_s": round(now - g.launched, 1) if g.launched else None}
                  for g in self.runner.guests.values()]
        return {"enabled": True, **self.runner.status(), "servers": guests,
                "plain": dict(self.plain)}


async def admin_status(request: web.Request) -> web.Response:
    """GET /devcloud/guests (admin): cap, boot slots, every guest's pid, ports and timings."""
    if not request["ctx"].is_admin:
        raise CloudError(403, "devcloud admin API needs an admin token.")
    guests = request.app[CLOUD_KEY].services.get("guests")
    body = guests.status() if guests else {"enabled": False, "reason": "--guests none"}
    return web.json_response(body)


def setup(app: web.Application, cloud: Cloud) -> None:
    if cloud.config.guests == "tiny":
        cloud.services["guests"] = Guests(cloud)
    app.router.add_get("/devcloud/guests", admin_status)
