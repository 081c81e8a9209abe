"""The compute service object: servers in the store, indexes, and their lifecycle.

A server boots as Nova boots one: BUILD (task scheduling → networking → spawning), ports
asked from Neutron while networking, ACTIVE after `config.build_delay` seconds. Deleted
servers stay as tombstones (status DELETED) so `changes-since` reports them.
"""

import asyncio
import logging
import secrets
import string
import uuid

from ..errors import CloudError
from . import block_devices, bootlog, flavors, instance_actions, notify
from .api import iso, iso_micro, now
from .flows import FLOWS
from .hosts import HOST
from .netlink import network_service

log = logging.getLogger("devcloud.compute")
POWER_NOSTATE, POWER_RUNNING, POWER_SHUTDOWN = 0, 1, 4


def hostname_of(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "-" else "-" for c in name.lower())
    return cleaned.strip("-")[:63] or "server"


class Compute:
    def __init__(self, cloud):
        self.cloud = cloud
        self.store = cloud.store
        self.error_servers: list[str] = []  # admin fault injection: next servers end in ERROR
        self.tasks: set[asyncio.Task] = set()
        self.order: list[str] = []           # server ids, oldest first
        self.by_project: dict[str, list[str]] = {}
        self.reindex()

    # --- indexes -------------------------------------------------------------
    def reindex(self) -> None:
        servers = sorted(self.store["servers"].values(), key=lambda s: (s["created_ts"], s["id"]))
        self.order = [s["id"] for s in servers]
        self.by_project = {}
        for s in servers:
            self.by_project.setdefault(s["project_id"], []).append(s["id"])

    def _index(self, server: dict) -> None:
        self.order.append(server["id"])
        self.by_project.setdefault(server["project_id"], []).append(server["id"])

    @property
    def network(self):
        return network_service(self.cloud)

    @property
    def consoles(self):
        return self.cloud.services.get("consoles")

    @property
    def guests(self):
        """--guests tiny: each server a real qemu guest (devcloud/guests/service.py)."""
        guests = self.cloud.services.get("guests")
        return guests if guests is not None and guests.enabled else None

    # --- seed and start --------------------------------------------------------
    def seed(self) -> None:
        flavors.seed(self.store)
        self.store.touch()

    async def start(self) -> None:
        """Re-arm what a restart interrupted: BUILD servers finish, deletions complete."""
        self.reindex()
        for server in self.store["servers"].values():
            if server.get("deleted"):
                continue
            if server["vm_state"] == "building":
                self._spawn(self._build(server["id"]))
            elif server["task_state"] == "deleting":
                self._spawn(self._delete(server["id"]))
            elif server.get("flow"):      # an interrupted day-2 action goes on
                self._spawn(self._run_flow(server["id"]))
                self._attach_console(server)
            else:
                if server["task_state"] is not None:  # an interrupted start/stop/reboot
                    self._spawn(self._finish_action(server["id"]))
                elif self.guests and server["vm_state"] == "active":
                    self._spawn(self.guests.resume(server))   # its guest boots again
                self._attach_console(server)

    async def stop(self) -> None:
        for task in list(self.tasks):
            task.cancel()

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- reads ---------------------------------------------------------------
    def get(self, server_id: str, ctx) -> dict:
        """A live server the caller may see; Nova's 404 otherwise (other projects too)."""
        server = self.store["servers"].get(server_id)
        if (server is None or server.get("deleted")
                or (not ctx.is_admin and server["project_id"] != ctx.project_id)):
            raise CloudError(404, f"Instance {server_id} could not be found.")
        return server

    def usage(self, project_id: str) -> dict:
        used = {"instances": 0, "cores": 0, "ram": 0}
        servers = self.store["servers"]
        for sid in self.by_project.get(project_id, ()):
            s = servers[sid]
            if not s.get("deleted"):
                used["instances"] += 1
                used["cores"] += s["flavor"]["vcpus"]
                used["ram"] += s["flavor"]["ram"]
        return used

    # --- state changes -------------------------------------------------------
    def touch(self, server: dict, **changes) -> None:
        """Change a server; `updated` moves on every change (the portal polls changes-since)."""
        server.update(changes)
        stamp = now()
        server["updated"] = iso(stamp)
        server["updated_ts"] = stamp.timestamp()
        self.store.touch()

    def volume_notification(self, server_id: str, event: str, volume_id: str) -> None:
        """instance.volume_attach/detach.start/.end (the volume service says when)."""
        server = self.store["servers"].get(server_id)
        if server is not None:
            notify.send(self, server, event, volume_id=volume_id)

    def record_action(self, server: dict, action: str, ctx, request_id: str) -> None:
        instance_actions.record(server, action, ctx, request_id)

    def new_server(self, ctx, spec: dict, name: str, launch_index: int,
                   reservation_id: str) -> dict:
        stamp = now()
        seq = self.store.meta.get("compute_instance_seq", 0) + 1
        self.store.meta["compute_instance_seq"] = seq
        server = {
            "id": str(uuid.uuid4()), "name": name, "hostname": hostname_of(name),
            "project_id": ctx.project_id, "user_id": ctx.user_id,
            "flavor": dict(spec["flavor"]), "image_id": spec["image_id"],
            "root_volume": dict(spec["root_volume"]) if spec.get("root_volume") else None,
            "key_name": spec.get("key_name"), "metadata": dict(spec.get("metadata") or {}),
            "user_data": spec.get("user_data"), "description": spec.get("description"),
            "security_groups": spec["security_groups"],
            "requested_networks": spec["networks"],
            "reservation_id": reservation_id, "launch_index": launch_index,
            "instance_name": f"instance-{seq:08x}",
            "vm_state": "building", "task_state": "scheduling", "power_state": POWER_NOSTATE,
            "created": iso(stamp), "created_ts": stamp.timestamp(),
            "updated": iso(stamp), "updated_ts": stamp.timestamp(),
            "launched_at": None, "terminated_at": None, "host": None,
            "availability_zone": None, "has_ports": False, "deleted": False, "fault": None,
            "locked": False, "tags": [], "access_ipv4": spec.get("access_ipv4"),
            "access_ipv6": spec.get("access_ipv6"),
            "pending_fault": self.error_servers.pop(0) if self.error_servers else None,
            "actions": [],
            # what Nova keeps in system_metadata for the server's snapshots
            "boot_meta": {"owner_user_name": ctx.user_name,
                          "owner_project_name": ctx.project_name or "",
                          "boot_roles": ",".join(ctx.roles)},
        }
        self.store["servers"][server["id"]] = server
        self._index(server)
        self.store.touch()
        self._spawn(self._build(server["id"]))
        return server

    # --- boot ----------------------------------------------------------------
    def _live(self, server_id: str) -> dict | None:
        server = self.store["servers"].get(server_id)
        if server is None or server.get("deleted") or server["task_state"] == "deleting":
            return None
        return server

    async def _build(self, server_id: str) -> None:
        """scheduling → networking (ports) → spawning → ACTIVE; resumable after a restart,
        so a server that already has its ports does not get a second set."""
        delay = self.cloud.config.build_delay
        server = self._live(server_id)
        if server is None:
            return
        fault = server.get("pending_fault")
        if server["task_state"] == "scheduling":
            await asyncio.sleep(delay * 0.1)
            server = self._live(server_id)
            if server is None:
                return
            if fault and fault.startswith("No valid host"):
                return self._fail(server, fault)  # nothing scheduled: no host, no ports
            # nova-compute's build begins (the host chosen, not yet on the instance)
            notify.send(self, server, "create.start", task_state=None,
                        availability_zone="nova", updated_at=None)
            # the conductor hands the build to the host with no task_state; the host's
            # manager then sets "networking" (the real cloud shows the gap)
            self.touch(server, host=HOST, availability_zone="nova", task_state=None)
            await asyncio.sleep(delay * 0.05)
            server = self._live(server_id)
            if server is None:
                return
            self.touch(server, task_state="networking")
        if server["task_state"] == "networking":
            if not server.get("has_ports"):
                try:
                    self._allocate_ports(server)
                except CloudError as err:
                    return self._fail(server, f"Build of instance {server_id} aborted: "
                                              f"{err.message}")
            await asyncio.sleep(delay * 0.2)
            server = self._live(server_id)
            if server is None:
                return
            if server.get("root_volume"):
                self.touch(server, task_state="block_device_mapping")
            else:
                self.touch(server, task_state="spawning")
        if server["task_state"] == "block_device_mapping":
            problem = await block_devices.prepare_root(self, server, asyncio.sleep)
            server = self._live(server_id)
            if server is None:
                return
            if problem:  # a build Nova aborts is no host's any more (hostId "", AZ "")
                self.touch(server, host=None, availability_zone=None)
                return self._fail(server, problem)
            self.touch(server, task_state="spawning")
        self._attach_console(server)
        if self.guests and not fault:
            fault = await self.guests.spawn(server)   # ACTIVE once its qemu runs
        else:
            await asyncio.sleep(delay * 0.7)
        server = self._live(server_id)
        if server is None:
            return
        if fault:
            return self._fail(server, fault)
        self.network.set_ports_status(server_id, "ACTIVE")
        self.touch(server, vm_state="active", task_state=None, power_state=POWER_RUNNING,
                   launched_at=iso_micro(now()))
        self.finish_actions(server)
        notify.send(self, server, "create.end")
        self.push_console(server)

    def _allocate_ports(self, server: dict) -> None:
        for net in server["requested_networks"]:
            self.network.create_server_port(
                server["project_id"], network_id=net.get("uuid"), port_id=net.get("port"),
                device_id=server["id"], security_groups=net.get("security_group_ids"))
            server["has_ports"] = True
        self.store.touch()

    def _fail(self, server: dict, message: str) -> None:
        """End in ERROR with a fault, releasing what was allocated, as Nova does."""
        self.network.release_server_ports(server["id"])
        self.touch(server, vm_state="error", task_state=None, power_state=POWER_NOSTATE,
                   has_ports=False, pending_fault=None,
                   fault={"code": 500, "created": iso(now()), "message": message})
        self.finish_actions(server, message="Error")

    def finish_actions(self, server: dict, message=None) -> None:
        instance_actions.finish(server, server.get("host") or HOST, message)
        self.store.touch()

    # --- delete --------------------------------------------------------------
    def delete(self, server: dict) -> None:
        # Nova deletes a shelved server's image, and a snapshot cut short by the delete
        self.delete_image(server.pop("shelved_image_id", None))
        flow = server.pop("flow", None) or {}
        if flow.get("name") == "createImage":
            self.delete_image(flow["args"].get("image_id"))
        self.touch(server, task_state="deleting")
        notify.send(self, server, "delete.start")
        self._spawn(self._delete(server["id"]))

    async def _delete(self, server_id: str) -> None:
        await asyncio.sleep(min(0.5, self.cloud.config.build_delay * 0.2))
        server = self.store["servers"].get(server_id)
        if server is None or server.get("deleted"):
            return
        notify.send(self, server, "shutdown.start")
        if self.guests:
            await self.guests.delete(server_id)       # qemu ends, its files go
        self.network.release_server_ports(server_id)
        notify.send(self, server, "shutdown.end")
        volumes = self.cloud.services.get("volume")
        if volumes is not None:
            volumes.server_gone(server_id)   # detached; delete_on_termination ones deleted
        consoles = self.consoles
        if consoles is not None and hasattr(consoles, "detach"):
            consoles.detach(server_id)
        self.touch(server, vm_state="deleted", task_state=None, power_state=POWER_NOSTATE,
                   deleted=True, has_ports=False, terminated_at=iso_micro(now()))
        notify.send(self, server, "delete.end")

    # --- power actions -------------------------------------------------------
    def begin_action(self, server: dict, task_state: str) -> None:
        self.touch(server, task_state=task_state)
        # a reboot's start says reboot_pending(_hard): the compute manager's next step
        pending = {"task_state": task_state.replace("rebooting", "reboot_pending")} \
            if task_state.startswith("rebooting") else {}
        notify.send(self, server, f"{notify.POWER_ACTIONS[task_state]}.start", **pending)
        self._spawn(self._finish_action(server["id"]))

    async def _finish_action(self, server_id: str) -> None:
        delay = max(0.2, self.cloud.config.build_delay * 0.5)
        server = self._live(server_id)
        if server is None:
            return
        if server["task_state"] in ("rebooting", "rebooting_hard"):
            await asyncio.sleep(delay / 2)
            server = self._live(server_id)
            if server is None:
                return
            hard = server["task_state"] == "rebooting_hard"
            self.touch(server, task_state="reboot_started_hard" if hard else "reboot_started")
        await asyncio.sleep(delay / 2)
        server = self._live(server_id)
        if server is None or server["task_state"] is None:
            return
        task = server["task_state"]
        if self.guests:
            await self.guests.act(server, task)       # the guest stops, starts or resets
            if self._live(server_id) is None:
                return
        if task == "powering-off":
            self.network.set_ports_status(server_id, "DOWN")
            self.touch(server, vm_state="stopped", task_state=None, power_state=POWER_SHUTDOWN)
            server["console_suffix"] = "stop"
        else:  # powering-on or a reboot: the guest boots again and renews its lease
            self.network.set_ports_status(server_id, "ACTIVE")
            self.touch(server, vm_state="active", task_state=None, power_state=POWER_RUNNING)
            server["console_suffix"] = None
        self.finish_actions(server)
        notify.send(self, server, f"{notify.POWER_ACTIONS[task]}.end")
        self.push_console(server)

    # --- day-2 actions (flows.py) ----------------------------------------------
    def run_flow(self, server: dict, name: str, **args) -> None:
        """Start one of flows.FLOWS: its first task_state now (as Nova's API sets it),
        the rest, then its end, over the action delay."""
        flow = FLOWS[name]
        server["flow"] = {"name": name, "args": args}
        changes = {}
        if flow.steps:
            task, hook = flow.steps[0]
            changes = {"task_state": task, **((hook and hook(self, server, args)) or {})}
        self.touch(server, **changes)
        notify.send(self, server, *notify.flow_events(name, "begin"))
        self._spawn(self._run_flow(server["id"]))

    async def _run_flow(self, server_id: str) -> None:
        server = self._live(server_id)
        if server is None or not server.get("flow"):
            return
        name = server["flow"]["name"]
        flow, args = FLOWS[name], server["flow"]["args"]
        tasks = [task for task, _ in flow.steps]
        pause = max(0.2, self.cloud.config.build_delay * 0.5) / max(1, len(tasks))
        start = tasks.index(server["task_state"]) + 1 if server["task_state"] in tasks else 0
        for task, hook in flow.steps[start:]:
            await asyncio.sleep(pause)
            server = self._live(server_id)
            if server is None:
                return
            self.touch(server, task_state=task, **((hook and hook(self, server, args)) or {}))
            notify.send(self, server, *notify.flow_events(name, task))
        await asyncio.sleep(pause)
        server = self._live(server_id)
        if server is None:
            return
        if self.guests and flow.guest:
            await self.guests.act(server, flow.guest)
            if self._live(server_id) is None:
                return
        changes = flow.finish(self, server, args) or {}
        server.pop("flow", None)
        self.touch(server, task_state=None, **changes)
        self.finish_actions(server)
        notify.send(self, server, *notify.flow_events(name, "end"))
        self.push_console(server)

    def flow_pending(self, server: dict) -> str | None:
        return (server.get("flow") or {}).get("name")

    # --- images (devcloud's Glance) ------------------------------------------------
    @property
    def images(self):
        return self.cloud.services.get("image")

    def snapshot_image_saving(self, image_id: str | None) -> None:
        if image_id and self.images is not None:
            self.images.snapshot_saving(image_id)

    def snapshot_image_active(self, image_id: str | None) -> None:
        if image_id and self.images is not None:
            self.images.snapshot_active(image_id)

    def delete_image(self, image_id: str | None) -> None:
        image = self.store["images"].get(image_id or "")
        if image is not None and self.images is not None:
            self.images.remove(image)

    # --- console -------------------------------------------------------------
    def _nics(self, server: dict) -> list[dict]:
        subnets = self.store["subnets"]
        nics = []
        for port in self.network.server_ports(server["id"]):
            nic = {"mac": port.get("mac_address"), "mtu": None, "ips": [], "dhcp": {}}
            net = self.network.network(port.get("network_id")) or {}
            nic["mtu"] = net.get("mtu")
            for fixed in port.get("fixed_ips", []):
                subnet = subnets.get(fixed.get("subnet_id")) or {}
                nic["ips"].append((fixed["ip_address"], subnet.get("cidr")))
                nic["dhcp"][fixed["ip_address"]] = self.network.dhcp_server_ip(
                    fixed.get("subnet_id"))
            nics.append(nic)
        return nics

    def console_text(self, server: dict) -> str:
        text = self._plain_console_text(server)
        return self.guests.console_text(server, text) if self.guests else text

    def _plain_console_text(self, server: dict) -> str:
        if server["vm_state"] == "building" and server["task_state"] != "spawning":
            return ""
        if server["vm_state"] == "building":
            return "\n".join(bootlog.KERNEL[:8]) + "\n"
        text = bootlog.boot_log(server, self._nics(server))
        if server.get("console_suffix") == "stop" or server["vm_state"] == "stopped":
            text += bootlog.shutdown_lines()
        return text

    def _attach_console(self, server: dict) -> None:
        consoles = self.consoles
        if consoles is None or not hasattr(consoles, "attach"):
            return
        try:
            consoles.attach(server)
            consoles.set_text(server["id"], self.console_text(server))
        except Exception:  # a console failure must never break a boot
            log.exception("console attach failed for %s", server["id"])

    def push_console(self, server: dict) -> None:
        consoles = self.consoles
        if consoles is None or not hasattr(consoles, "set_text"):
            return
        try:
            consoles.set_text(server["id"], self.console_text(server))
        except Exception:
            log.exception("console update failed for %s", server["id"])


def admin_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(12))


def reservation_id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "r-" + "".join(secrets.choice(alphabet) for _ in range(8))
