"""Boot from volume (`block_device_mapping_v2` on POST /servers): what devcloud must answer
as the real Nova 2026.2 and Cinder 29 do.

`run(admin, demo)` plays one scenario: each refusal Nova gives a bad mapping (no size, size
0, smaller than the image's min_disk, a volume that is not bootable, one in use, unknown
volumes and snapshots), then boots from a new volume made from an image, from an existing
bootable volume and from a volume snapshot, and deletes them (with and without
delete_on_termination), recording per step the status, the reduced body (day2_cases.reduce)
and the root volume as Cinder shows it. `record.py bfv` plays it on the real cloud into
bfv_real.json; test_bfv_parity.py plays it on devcloud and compares. Everything the scenario
makes is deleted at the end.
"""

import json
import re
import time
import uuid
from pathlib import Path

from tests.devcloud.day2_cases import Scenario as _Calls
from tests.devcloud.day2_cases import _text, _Watch

RECORDED = Path(__file__).with_name("bfv_real.json")
PREFIX = "dbfv"
IMAGE_META = ("image_name", "container_format", "disk_format", "min_disk", "min_ram")


def _usage_free(body):
    text = _text(body)
    text = re.sub(r"and \d+G has been consumed", "and UG has been consumed", text)
    return json.loads(text)


def volume_facts(view: dict) -> dict:
    """What of a volume says what Nova made of it."""
    meta = view.get("volume_image_metadata") or {}
    return {"status": view.get("status"), "size": view.get("size"),
            "bootable": view.get("bootable"), "name": view.get("name"),
            "description": view.get("description"),
            "snapshot_id": bool(view.get("snapshot_id")),
            "devices": [a.get("device") for a in view.get("attachments") or []],
            "image_metadata": {k: meta.get(k, "<absent>") for k in IMAGE_META}
            if meta else None,
            "image_id": bool(meta.get("image_id"))}


class Scenario(_Calls):
    def __init__(self, admin, demo):
        super().__init__(admin, demo)
        self.made.update(volumes=[], snapshots=[])

    def call(self, tag, conn, method, path, body=None, mv="2.100", service="compute"):
        status, data = super().call(tag, conn, method, path, body, mv, service)
        if tag:  # what the project already holds depends on what else runs in it
            self.answers[tag]["body"] = _usage_free(self.answers[tag]["body"])
        return status, data

    # --- setup and teardown ----------------------------------------------------------
    def setup(self):
        admin, tag = self.admin, self.tag
        self.flavor = admin.compute.create_flavor(name=f"{PREFIX}-f-{tag}", ram=256, vcpus=1,
                                                  disk=1)
        self.made["flavors"].append(self.flavor.id)
        self.img = self._image(f"{PREFIX}-img-{tag}", 0)
        self.big = self._image(f"{PREFIX}-big-{tag}", 2)     # min_disk 2 GB
        self.plain = self._volume(f"{PREFIX}-plain-{tag}")   # empty: not bootable

    def _image(self, name, min_disk):
        img = self.demo.image.create_image(name=name, disk_format="raw",
                                           container_format="bare", data=b"\0" * 1024,
                                           visibility="private", min_disk=min_disk)
        self.made["images"].append(img.id)
        return img

    def _volume(self, name, **kwargs):
        vol = self.demo.block_storage.create_volume(name=name, size=1, **kwargs)
        self.made["volumes"].append(vol.id)
        self.demo.block_storage.wait_for_status(vol, "available", wait=60, interval=0.2)
        return vol

    def cleanup(self):
        demo = self.demo
        for sid in self.made["servers"]:
            demo.compute.delete_server(sid, ignore_missing=True)
        for sid in self.made["servers"]:
            self._gone(lambda s=sid: demo.compute.find_server(s, ignore_missing=True))
        for snap in self.made["snapshots"]:
            demo.block_storage.delete_snapshot(snap, ignore_missing=True)
        for snap in self.made["snapshots"]:
            self._gone(lambda s=snap: demo.block_storage.find_snapshot(s, ignore_missing=True))
        for vol in demo.block_storage.volumes():
            if self.tag in (vol.name or "") or vol.id in self.made["volumes"]:
                demo.block_storage.delete_volume(vol, ignore_missing=True)
        for image in self.made["images"]:
            demo.image.delete_image(image, ignore_missing=True)
        for flavor in self.made["flavors"]:
            self.admin.compute.delete_flavor(flavor, ignore_missing=True)

    @staticmethod
    def _gone(find, timeout=60):
        deadline = time.monotonic() + timeout
        while find() is not None and time.monotonic() < deadline:
            time.sleep(0.2)

    # --- helpers ------------------------------------------------------------------------
    def boot(self, tag, mapping, image_ref="", mv="2.100"):
        body = {"name": f"{PREFIX}-{tag}-{self.tag}", "flavorRef": self.flavor.id,
                "networks": "none", "block_device_mapping_v2": mapping}
        if image_ref is not None:
            body["imageRef"] = image_ref
        status, data = self.call(tag, self.demo, "POST", "/servers", {"server": body}, mv=mv)
        if status == 202:
            self.made["servers"].append(data["server"]["id"])
            return data["server"]["id"]
        return None

    def root(self, server_id) -> dict:
        """The server's one attached volume, as Cinder shows it."""
        _, body = self.call(None, self.demo, "GET", f"/servers/{server_id}")
        (attached,) = body["server"]["os-extended-volumes:volumes_attached"]
        return self.volume(attached["id"])

    def volume(self, volume_id) -> dict:
        _, body = self.call(None, self.demo, "GET", f"/volumes/{volume_id}",
                            mv="3.70", service="block_storage")
        return body["volume"]

    def volume_settles(self, volume_id, statuses, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.call(None, self.demo, "GET", f"/volumes/{volume_id}",
                                     mv="3.70", service="block_storage")
            if status == 404:
                return None
            if body["volume"]["status"] in statuses:
                return body["volume"]
            time.sleep(0.1)
        raise AssertionError(f"volume {volume_id} is {body['volume']['status']}")

    def record_volume(self, tag, view):
        self.answers[tag] = {"body": None if view is None else _usage_free(volume_facts(view))}

    def delete_and_look(self, tag, server_id, volume_id):
        """Delete the server; the root volume afterwards (None: Nova deleted it)."""
        self.call(f"{tag}-delete", self.demo, "DELETE", f"/servers/{server_id}")
        self._gone(lambda: self.demo.compute.find_server(server_id, ignore_missing=True))
        self.record_volume(f"{tag}-volume-after",
                           self.volume_settles(volume_id, ("available", "error")))

    @staticmethod
    def from_image(image_id, size=None, delete=True):
        bdm = {"boot_index": 0, "uuid": image_id, "source_type": "image",
               "destination_type": "volume", "delete_on_termination": delete}
        if size is not None:
            bdm["volume_size"] = size
        return [bdm]

    @staticmethod
    def from_(source, ref, delete=False, **more):
        return [{"boot_index": 0, "uuid": ref, "source_type": source,
                 "destination_type": "volume", "delete_on_termination": delete, **more}]

    # --- the steps ---------------------------------------------------------------------
    def refusals(self):
        img, boot = self.img.id, self.boot
        boot("no-size", self.from_image(img))
        boot("size-0", self.from_image(img, 0))
        boot("size-text", self.from_image(img, "big"))
        boot("below-min-disk", self.from_image(self.big.id, 1))
        boot("not-bootable", self.from_("volume", self.plain.id))
        boot("unknown-volume", self.from_("volume", str(uuid.uuid4())))
        boot("unknown-snapshot", self.from_("snapshot", str(uuid.uuid4())))
        boot("unknown-image", self.from_image(str(uuid.uuid4()), 1))
        boot("bad-uuid", self.from_("volume", "nope"))
        boot("bad-source", self.from_("floppy", img))
        boot("no-image-no-bdm", [], image_ref=None)
        sid = boot("over-quota", self.from_image(img, 100000))
        if sid:  # Nova accepts it; Cinder's quota refuses the volume in the build
            self.wait(sid, ["ERROR", "ACTIVE"])
            self.call("over-quota-show", self.demo, "GET", f"/servers/{sid}")

    def image_to_volume(self):
        sid = self.boot("new-volume", self.from_image(self.img.id, 1))
        watch = _Watch(self.demo, sid)
        self.wait(sid, ["ACTIVE"])
        self.answers["new-volume"]["sequence"] = watch.done()
        self.call("new-volume-show", self.demo, "GET", f"/servers/{sid}")
        self.call("new-volume-attachments", self.demo, "GET",
                  f"/servers/{sid}/os-volume_attachments")
        root = self.root(sid)
        self.made["volumes"].append(root["id"])
        self.record_volume("new-volume-root", root)
        self.boot("in-use", self.from_("volume", root["id"]))
        self.delete_and_look("new-volume", sid, root["id"])

    def image_to_volume_kept(self):
        sid = self.boot("kept", self.from_image(self.img.id, 2, delete=False))
        self.wait(sid, ["ACTIVE"])
        root = self.root(sid)
        self.made["volumes"].append(root["id"])
        self.delete_and_look("kept", sid, root["id"])
        return root["id"]

    def existing_volume(self, volume_id):
        sid = self.boot("existing", self.from_("volume", volume_id))
        self.wait(sid, ["ACTIVE"])
        self.call("existing-show", self.demo, "GET", f"/servers/{sid}")
        self.record_volume("existing-root", self.root(sid))
        self.delete_and_look("existing", sid, volume_id)

    def snapshot(self, volume_id):
        snap = self.demo.block_storage.create_snapshot(volume_id=volume_id,
                                                       name=f"{PREFIX}-snap-{self.tag}")
        self.made["snapshots"].append(snap.id)
        self.demo.block_storage.wait_for_status(snap, "available", wait=60, interval=0.2)
        sid = self.boot("from-snapshot", self.from_("snapshot", snap.id, delete=True))
        self.wait(sid, ["ACTIVE"])
        root = self.root(sid)
        self.made["volumes"].append(root["id"])
        self.record_volume("from-snapshot-root", root)
        self.delete_and_look("from-snapshot", sid, root["id"])

    def run(self) -> dict:
        self.setup()
        try:
            self.refusals()
            self.image_to_volume()
            kept = self.image_to_volume_kept()
            self.existing_volume(kept)
            self.snapshot(kept)
        finally:
            self.cleanup()
        return self.answers


def run(admin, demo) -> dict:
    return Scenario(admin, demo).run()
