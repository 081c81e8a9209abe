"""The volume service object: volumes and snapshots in the store, and their lifecycles.

Status sequences as cinder-volume walks them, over the same `config.build_delay` Nova's
builds use: creating → available (or error), extending → available (size moved on),
deleting → gone; snapshots creating → available, deleting → gone. Attachments are made by
Nova (compute/volume_attachments.py): reserved → attaching → in-use, detaching → available.
Deleted volumes are dropped (Cinder's list shows no tombstones).
"""

import asyncio
import uuid

from ..errors import CloudError
from . import notify
from .api import stamp
from .defaults import AZ, DEFAULT_TYPE, HOST, SERVICE_UUID  # noqa: F401 - the service's

# Cinder's defaults (cinder.conf [DEFAULT] quota_*), what the real cloud answers
DEFAULT_QUOTAS = {"volumes": 10, "per_volume_gigabytes": -1, "snapshots": 10,
                  "gigabytes": 1000, "backups": 10, "backup_gigabytes": 1000,
                  "volumes___DEFAULT__": -1, "gigabytes___DEFAULT__": -1,
                  "snapshots___DEFAULT__": -1, "groups": 10}


class Volume:
    def __init__(self, cloud):
        self.cloud = cloud
        self.store = cloud.store
        self.tasks: set[asyncio.Task] = set()

    @property
    def volumes(self) -> dict:
        return self.store["volumes"]

    @property
    def snapshots(self) -> dict:
        return self.store["volume_snapshots"]

    @property
    def delay(self) -> float:
        return max(0.2, self.cloud.config.build_delay * 0.5)

    def types(self) -> list[dict]:
        return [dict(DEFAULT_TYPE)]

    # --- start and stop ---------------------------------------------------------------
    async def start(self) -> None:
        """Re-arm what a restart interrupted."""
        for vol in list(self.volumes.values()):
            if vol["status"] in ("creating", "extending", "deleting"):
                self._spawn(self._settle_volume(vol["id"]))
        for snap in list(self.snapshots.values()):
            if snap["status"] in ("creating", "deleting"):
                self._spawn(self._settle_snapshot(snap["id"]))

    async def stop(self) -> None:
        for task in list(self.tasks):
            task.cancel()

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- reads ---------------------------------------------------------------------------
    def get(self, volume_id: str, ctx) -> dict:
        vol = self.volumes.get(volume_id)
        if vol is None or (not ctx.is_admin and vol["project_id"] != ctx.project_id):
            raise CloudError(404, f"Volume {volume_id} could not be found.")
        return vol

    def get_snapshot(self, snapshot_id: str, ctx) -> dict:
        snap = self.snapshots.get(snapshot_id)
        if snap is None or (not ctx.is_admin and snap["project_id"] != ctx.project_id):
            raise CloudError(404, f"Snapshot {snapshot_id} could not be found.")
        return snap

    def snapshots_of(self, volume_id: str) -> list[dict]:
        return [s for s in self.snapshots.values() if s["volume_id"] == volume_id]

    def novas(self, attachment: dict) -> bool:
        """Made by Nova (not by a client of the attachments API, whose records Nova's
        block device mappings never see)."""
        return attachment["attachment_id"] not in self.store["volume_attachments"]

    def attached_to(self, server_id: str) -> list[dict]:
        """The server's attachments, oldest first: what Nova's volumes_attached lists."""
        found = [(a["attached_at"] or "", v["id"], a) for v in self.volumes.values()
                 for a in v["attachments"] if a["server_id"] == server_id and self.novas(a)]
        return [a for _, _, a in sorted(found, key=lambda f: (f[0], f[1]))]

    # --- quotas ----------------------------------------------------------------------------
    def quotas(self, project_id: str) -> dict:
        return {**DEFAULT_QUOTAS, **self.store["volume_quotas"].get(project_id, {})}

    def usage(self, project_id: str) -> dict:
        vols = [v for v in self.volumes.values() if v["project_id"] == project_id]
        snaps = [s for s in self.snapshots.values() if s["project_id"] == project_id]
        return {"volumes": len(vols), "snapshots": len(snaps),
                "gigabytes": sum(v["size"] for v in vols) + sum(s["size"] for s in snaps),
                "volumes___DEFAULT__": len(vols), "snapshots___DEFAULT__": len(snaps),
                "gigabytes___DEFAULT__": sum(v["size"] for v in vols)
                + sum(s["size"] for s in snaps)}

    def check_gigabytes(self, project_id: str, more: int) -> None:
        limit = self.quotas(project_id)["gigabytes"]
        used = self.usage(project_id)["gigabytes"]
        if limit >= 0 and used + more > limit:
            raise CloudError(413, "VolumeSizeExceedsAvailableQuota: Requested volume or "
                                  "snapshot exceeds allowed gigabytes quota. Requested "
                                  f"{more}G, quota is {limit}G and {used}G has been consumed.")

    def check_count(self, project_id: str, resource: str) -> None:
        limit = self.quotas(project_id)[resource]
        if limit >= 0 and self.usage(project_id)[resource] + 1 > limit:
            noun = "Volume" if resource == "volumes" else "Snapshot"
            raise CloudError(413, f"{noun}LimitExceeded: Maximum number of {resource} "
                                  f"allowed ({limit}) exceeded for quota '{resource}'.")

    # --- changes ------------------------------------------------------------------------
    def touch(self, obj: dict, **changes) -> None:
        obj.update(changes)
        obj["updated_at"] = stamp()
        self.store.touch()

    def image_metadata(self, image: dict) -> dict:
        """volume_image_metadata of a volume made from `image` (Cinder copies these)."""
        meta = {"image_id": image["id"], "image_name": image.get("name"),
                "checksum": image.get("checksum"),
                "container_format": image.get("container_format"),
                "disk_format": image.get("disk_format"),
                "min_disk": str(image.get("min_disk", 0)),
                "min_ram": str(image.get("min_ram", 0)), "size": str(image.get("size") or 0)}
        return {k: v for k, v in meta.items() if v is not None}

    def create(self, ctx, spec: dict) -> dict:
        now = stamp()
        vol = {"id": str(uuid.uuid4()), "status": "creating", "size": spec["size"],
               "availability_zone": spec.get("availability_zone") or AZ,
               "created_at": now, "updated_at": None, "name": spec.get("name"),
               "description": spec.get("description"), "volume_type": DEFAULT_TYPE["name"],
               "snapshot_id": spec.get("snapshot_id"), "source_volid": spec.get("source_volid"),
               "metadata": dict(spec.get("metadata") or {}), "user_id": ctx.user_id,
               "project_id": ctx.project_id, "bootable": bool(spec.get("bootable")),
               "image_metadata": spec.get("image_metadata"), "attachments": [],
               "fail": spec.get("fail")}
        self.volumes[vol["id"]] = vol
        self.store.touch()
        notify.volume(self, vol, "create.start")
        self._spawn(self._settle_volume(vol["id"]))
        return vol

    def extend(self, vol: dict, new_size: int) -> None:
        self.touch(vol, status="extending", pending_size=new_size)
        notify.volume(self, vol, "resize.start")
        self._spawn(self._settle_volume(vol["id"]))

    def delete(self, vol: dict) -> None:
        self.touch(vol, status="deleting")
        notify.volume(self, vol, "delete.start")
        self._spawn(self._settle_volume(vol["id"]))

    async def _settle_volume(self, volume_id: str) -> None:
        """cinder-volume's half of create, extend and delete."""
        await asyncio.sleep(self.delay)
        vol = self.volumes.get(volume_id)
        if vol is None:
            return
        if vol["status"] == "creating":
            self.touch(vol, status="error" if vol.pop("fail", None) else "available")
            notify.volume(self, vol, "create.end" if vol["status"] == "available"
                          else "create.error")
        elif vol["status"] == "extending":
            self.touch(vol, status="in-use" if vol["attachments"] else "available",
                       size=vol.pop("pending_size", vol["size"]))
            notify.volume(self, vol, "resize.end")
        elif vol["status"] == "deleting":
            del self.volumes[volume_id]
            self.store.touch()
            notify.volume(self, vol, "delete.end", status="deleted")

    def create_snapshot(self, ctx, vol: dict, spec: dict) -> dict:
        snap = {"id": str(uuid.uuid4()), "created_at": stamp(), "updated_at": None,
                "name": spec.get("name"), "description": spec.get("description"),
                "volume_id": vol["id"], "status": "creating", "size": vol["size"],
                "metadata": dict(spec.get("metadata") or {}), "user_id": ctx.user_id,
                "project_id": ctx.project_id}
        self.snapshots[snap["id"]] = snap
        self.store.touch()
        notify.snapshot(self, snap, "create.start")
        self._spawn(self._settle_snapshot(snap["id"]))
        return snap

    def delete_snapshot(self, snap: dict) -> None:
        self.touch(snap, status="deleting")
        notify.snapshot(self, snap, "delete.start")
        self._spawn(self._settle_snapshot(snap["id"]))

    async def _settle_snapshot(self, snapshot_id: str) -> None:
        await asyncio.sleep(self.delay)
        snap = self.snapshots.get(snapshot_id)
        if snap is None:
            return
        if snap["status"] == "creating":
            self.touch(snap, status="available")
            notify.snapshot(self, snap, "create.end")
        elif snap["status"] == "deleting":
            del self.snapshots[snapshot_id]
            self.store.touch()
            notify.snapshot(self, snap, "delete.end", status="deleted")

    # --- attachments (Nova's side calls these) ------------------------------------------
    def reserve(self, vol: dict, server: dict, device: str) -> dict:
        """Nova's attachment_create: the volume is `reserved`, then `attaching`; in-use
        once nova-compute has connected it."""
        attachment = {"id": vol["id"], "attachment_id": str(uuid.uuid4()),
                      "volume_id": vol["id"], "server_id": server["id"],
                      "host_name": None, "device": device,
                      "attached_at": None}
        vol["pending_attachment"] = attachment
        self.touch(vol, status="reserved")
        self._spawn(self._connect(vol["id"]))
        return attachment

    async def _connect(self, volume_id: str) -> None:
        """reserved (Nova's attachment_create) → attaching (attachment_update, once
        nova-compute has the connector) → in-use (attachment_complete)."""
        await asyncio.sleep(self.delay * 0.7)
        vol = self.volumes.get(volume_id)
        if vol is None or vol["status"] != "reserved":
            return
        self._nova_event(vol["pending_attachment"], "volume_attach.start")
        notify.volume(self, vol, "attach.start", publisher_host=notify.BACKEND)
        self.touch(vol, status="attaching")
        await asyncio.sleep(self.delay * 0.3)
        vol = self.volumes.get(volume_id)
        if vol is None or vol["status"] != "attaching":
            return
        attachment = vol.pop("pending_attachment")
        attachment["attached_at"] = stamp()
        vol["attachments"].append(attachment)
        self.touch(vol, status="in-use")
        notify.volume(self, vol, "attach.end", publisher_host=notify.API_HOST)
        self._nova_event(attachment, "volume_attach.end")

    def begin_detach(self, vol: dict, server_id: str) -> None:
        self.touch(vol, status="detaching")
        held = [a for a in vol["attachments"] if a["server_id"] == server_id]
        if held:
            self._nova_event(held[0], "volume_detach.start")
        notify.volume(self, vol, "detach.start", publisher_host=notify.BACKEND)
        self._spawn(self._disconnect(vol["id"], server_id))

    async def _disconnect(self, volume_id: str, server_id: str) -> None:
        await asyncio.sleep(self.delay)
        vol = self.volumes.get(volume_id)
        if vol is None:
            return
        held = [a for a in vol["attachments"] if a["server_id"] == server_id]
        self.drop_attachment(vol, server_id)
        if held:
            self._nova_event(held[0], "volume_detach.end")

    def drop_attachment(self, vol: dict, server_id: str) -> None:
        vol["attachments"] = [a for a in vol["attachments"] if a["server_id"] != server_id]
        pending = vol.get("pending_attachment")
        if pending and pending["server_id"] == server_id:
            vol.pop("pending_attachment")
        self.touch(vol, status="in-use" if vol["attachments"] else "available")
        notify.volume(self, vol, "detach.end", publisher_host=notify.API_HOST)

    def _nova_event(self, attachment: dict, event: str) -> None:
        """nova-compute's instance.volume_attach/detach around Cinder's own."""
        compute = self.cloud.services.get("compute")
        if compute is not None and self.cloud.notifier is not None:
            compute.volume_notification(attachment["server_id"], event, attachment["id"])

    def server_gone(self, server_id: str) -> None:
        """The server was deleted: Nova detaches its volumes (and deletes the ones it was
        told to delete on termination)."""
        for vol in list(self.volumes.values()):
            held = [a for a in vol["attachments"] if a["server_id"] == server_id]
            pending = vol.get("pending_attachment") or {}
            if not held and pending.get("server_id") != server_id:
                continue
            self.drop_attachment(vol, server_id)
            if any(a.get("delete_on_termination") for a in held):
                self.delete(vol)
