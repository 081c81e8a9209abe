"""`block_device_mapping_v2` on POST /servers: a server whose root disk is a Cinder volume,
made from an image or a snapshot, or an existing bootable volume.

nova-api checks the mapping (its JSON schema, then compute/api.py: the boot volume or
snapshot exists and is bootable, an image→volume mapping has a size no smaller than the
image's min_disk, an existing volume can be reserved); nova-compute, in the build's
`block_device_mapping` step, has Cinder make the volume (name "", from the image or
snapshot), waits for it, and attaches it as /dev/vda. The server shows `image: ""`; on
delete the volume is detached, and deleted when delete_on_termination says so. Words and
codes as the real Nova 34 / Cinder 29 answered them (tests/devcloud/bfv_real.json).
"""

import re
import uuid

from ..errors import CloudError
from .api import invalid_input

SOURCES = ("volume", "image", "snapshot", "blank")   # the schema's order
DESTINATIONS = ("local", "volume")
UUID_PATTERN = re.compile(r"^[a-zA-Z0-9._-]*$")
# The device the real cloud's fake driver names a root volume (libvirt would say /dev/vda)
ROOT_DEVICE = "/dev/sda"


def _schema(index: int, bdm) -> dict:
    """The parts of Nova's block_device_mapping_v2 schema the portal and the CLI send."""
    # Nova's schema errors name the field alone, not its path in the body
    if not isinstance(bdm, dict):
        raise invalid_input(f"block_device_mapping_v2/{index}", bdm,
                            f"{bdm!r} is not of type 'object'")
    source = bdm.get("source_type")
    if source is not None and source not in SOURCES:
        raise invalid_input("source_type", source,
                            f"'{source}' is not one of {list(SOURCES)!r}")
    dest = bdm.get("destination_type")
    if dest is not None and dest not in DESTINATIONS:
        raise invalid_input("destination_type", dest,
                            f"'{dest}' is not one of {list(DESTINATIONS)!r}")
    ref = bdm.get("uuid")
    if ref is not None and (not isinstance(ref, str) or not UUID_PATTERN.match(ref)):
        raise invalid_input("uuid", ref, f"'{ref}' does not match "
                                                  f"'{UUID_PATTERN.pattern}'")
    size = bdm.get("volume_size")
    if size is not None:
        size = _size("volume_size", size)
    return {"source_type": source, "destination_type": dest or "volume", "uuid": ref,
            "boot_index": _boot_index(bdm.get("boot_index")), "volume_size": size,
            "delete_on_termination": bool(bdm.get("delete_on_termination"))}


def _size(field: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise invalid_input(field, value, f"{value!r} is not of type 'integer', 'string'")
    if isinstance(value, str) and not re.fullmatch(r"[0-9]+", value):
        raise invalid_input(field, value, f"'{value}' does not match '^[0-9]+$'")
    number = int(value)
    if number < 1:
        raise invalid_input(field, value, f"{value} is less than the minimum of 1")
    return number


def _boot_index(value):
    if value is None or value == "none":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CloudError(400, "Block Device Mapping is Invalid: Boot index is invalid.") \
            from None


def parse(body: dict) -> list[dict]:
    """The request's mappings, schema-checked; [] when there are none."""
    raw = body.get("block_device_mapping_v2")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid_input("block_device_mapping_v2", raw, f"{raw!r} is not of type 'array'")
    return [_schema(i, bdm) for i, bdm in enumerate(raw)]


def root_of(bdms: list[dict]) -> dict | None:
    """The boot device when it is a volume (boot_index 0, destination volume)."""
    for bdm in bdms:
        if bdm["boot_index"] == 0 and bdm["destination_type"] == "volume":
            return bdm
    return None


def check_root(compute, root: dict, ctx) -> dict:
    """nova-api's checks of the root mapping in its order; returns the image metadata the
    server boots with (Nova's _get_bdm_image_metadata) for the flavor fit check."""
    volumes = compute.cloud.services.get("volume")
    source = root["source_type"]
    if source == "image":
        return _image_root(compute, root, ctx)
    if volumes is None:
        raise CloudError(400, "Block Device Mapping is Invalid: failed to get volume "
                              f"{root['uuid']}.")
    if source == "snapshot":
        snap = volumes.snapshots.get(root["uuid"] or "")
        if snap is None or (snap["project_id"] != ctx.project_id and not ctx.is_admin):
            raise CloudError(400, f"Snapshot {root['uuid']} could not be found.")
        origin = volumes.volumes.get(snap["volume_id"]) or {}
        return _image_meta(origin)
    if source == "volume":
        vol = volumes.volumes.get(root["uuid"] or "")
        if vol is None or (vol["project_id"] != ctx.project_id and not ctx.is_admin):
            raise CloudError(400, "Block Device Mapping is Invalid: failed to get volume "
                                  f"{root['uuid']}.")
        if not vol["bootable"]:
            raise CloudError(400, f"Block Device {vol['id']} is not bootable.")
        return _image_meta(vol)
    raise CloudError(400, "Block Device Mapping is Invalid: Boot sequence for the instance "
                          "and image/block device mapping combination is not valid.")


def _image_meta(vol: dict) -> dict:
    """A volume's volume_image_metadata as the image Nova checks the flavor against."""
    meta = vol.get("image_metadata") or {}
    return {"min_ram": int(meta.get("min_ram") or 0), "min_disk": int(meta.get("min_disk") or 0)}


def _image_root(compute, root: dict, ctx) -> dict:
    image = compute.store["images"].get(root["uuid"] or "")
    if image is None or not _visible(image, ctx):
        raise CloudError(400, "Block Device Mapping is Invalid: failed to get image "
                              f"{root['uuid']}.")
    if image.get("status") != "active":
        raise CloudError(400, f"Image {image['id']} is not active.")
    if not root["volume_size"]:
        raise CloudError(400, "Images with destination_type 'volume' need to have a non-zero "
                              "size specified")
    min_disk = image.get("min_disk") or 0
    if root["volume_size"] < min_disk:
        raise CloudError(400, "Volume is smaller than the minimum size specified in image "
                              f"metadata. Volume size is {root['volume_size'] * 1024 ** 3} "
                              f"bytes, minimum size is {min_disk * 1024 ** 3} bytes.")
    return image


def _visible(image: dict, ctx) -> bool:
    return (ctx.is_admin or image.get("visibility") in ("public", "community")
            or image.get("owner") == ctx.project_id
            or ctx.project_id in image.get("members", []))


def reserve_existing(compute, root: dict) -> None:
    """Nova's attachment_create at the API for an existing volume: Cinder refuses one that
    is not available (in use, or still being made), and Nova passes Cinder's words on,
    wrapped in its own, with Cinder's request id."""
    if root["source_type"] != "volume":
        return
    vol = compute.cloud.services["volume"].volumes[root["uuid"]]
    if vol["status"] not in ("available", "downloading"):
        cinder = (f"Invalid volume: Volume {vol['id']} status must be available or "
                  f"downloading to reserve, but the current status is {vol['status']}.")
        raise CloudError(400, f"Invalid volume: Invalid input received: {cinder} (HTTP 400) "
                              f"(Request-ID: req-{uuid.uuid4()})")


def spec_of(root: dict | None) -> dict | None:
    """What the server keeps of its root mapping (the volume's id once there is one)."""
    if root is None:
        return None
    return {"source_type": root["source_type"], "uuid": root["uuid"],
            "volume_size": root["volume_size"],
            "delete_on_termination": root["delete_on_termination"],
            "volume_id": root["uuid"] if root["source_type"] == "volume" else None}


def attach_existing(compute, server: dict) -> None:
    """An existing volume is reserved for the server as nova-api accepts it."""
    root = server.get("root_volume")
    if root and root["source_type"] == "volume":
        volumes = compute.cloud.services["volume"]
        attachment = volumes.reserve(volumes.volumes[root["volume_id"]], server, ROOT_DEVICE)
        attachment["delete_on_termination"] = root["delete_on_termination"]


async def prepare_root(compute, server: dict, pause) -> str | None:
    """nova-compute's block_device_mapping step: the new volume made (from the image or
    the snapshot, named "") and attached at /dev/vda, or the reserved one connected.
    Returns a fault message when it cannot be done (Cinder's refusal in Nova's words)."""
    root = server["root_volume"]
    volumes = compute.cloud.services["volume"]
    if root["volume_id"] is None:
        try:
            vol = _create(compute, volumes, server, root)
        except CloudError as err:
            return f"Build of instance {server['id']} aborted: {err.message}"
        root["volume_id"] = vol["id"]
        compute.store.touch()
    vol = await _settled(volumes, root["volume_id"], ("available", "error"), pause)
    if vol is None or vol["status"] == "error":
        return (f"Build of instance {server['id']} aborted: Volume {root['volume_id']} did "
                "not finish being created even after we waited 0 seconds or 1 attempts. "
                "And its status is error.")
    if not (vol["attachments"] or vol.get("pending_attachment")):
        attachment = volumes.reserve(vol, server, ROOT_DEVICE)
        attachment["delete_on_termination"] = root["delete_on_termination"]
    await _settled(volumes, vol["id"], ("in-use",), pause)
    return None


def _create(compute, volumes, server: dict, root: dict) -> dict:
    owner = _Owner(server["project_id"], server["user_id"])
    spec = {"name": "", "description": "", "availability_zone": None}
    if root["source_type"] == "image":
        image = compute.store["images"][root["uuid"]]
        size = root["volume_size"]
        spec.update(bootable=True, image_metadata=volumes.image_metadata(image))
    else:
        snap = volumes.snapshots[root["uuid"]]
        size = root["volume_size"] or snap["size"]
        origin = volumes.volumes.get(snap["volume_id"]) or {}
        spec.update(snapshot_id=snap["id"], bootable=origin.get("bootable"),
                    image_metadata=origin.get("image_metadata"))
    volumes.check_gigabytes(owner.project_id, size)
    volumes.check_count(owner.project_id, "volumes")
    return volumes.create(owner, {**spec, "size": size})


class _Owner:
    """The server's project and user, as Cinder's create records them."""

    def __init__(self, project_id: str, user_id: str):
        self.project_id, self.user_id = project_id, user_id


async def _settled(volumes, volume_id: str, statuses, pause) -> dict | None:
    """Bounded wait for the volume to reach one of `statuses` (None: it went away)."""
    for _ in range(600):
        vol = volumes.volumes.get(volume_id)
        if vol is None or vol["status"] in statuses:
            return vol
        await pause(0.05)
    return volumes.volumes.get(volume_id)
