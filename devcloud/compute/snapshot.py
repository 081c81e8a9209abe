"""createImage: a server's snapshot becomes a Glance image, as Nova makes it.

Nova (compute/utils.py create_image) creates the image record first (queued, owned by the
caller's project, private — 'shared' with instance_owner when an admin of another project
snapshots it), with the base image's inheritable properties plus instance_uuid, user_id,
image_type=snapshot, base_image_ref and the booting user's owner_user_name /
owner_project_name / boot_roles; min_disk is the flavor's root disk. nova-compute then
uploads (saving → active). Shelve makes the same kind of image named "<server>-shelved".
"""

import uuid

from aiohttp import web

from ..errors import CloudError
from .api import invalid_input, json_response, mv, policy_error
from .states import conflict

SNAPSHOT_STATES = {"active", "stopped", "paused", "suspended"}
# Never inherited by a snapshot (Nova's NON_INHERITABLE_IMAGE_PROPERTIES and the
# non_inheritable_image_properties default), nor Glance's own store list.
NOT_INHERITED = {"cinder_encryption_key_id", "cinder_encryption_key_deletion_policy",
                 "img_signature", "img_signature_hash_method", "img_signature_key_type",
                 "img_signature_certificate_uuid", "cache_in_nova", "bittorrent", "stores"}


def new_image(compute, server: dict, ctx, name: str, metadata: dict | None = None):
    """The queued snapshot image of `server`, or None without an image service."""
    images = compute.images
    if images is None:
        return None
    base = compute.store["images"].get(server.get("image_id") or "") or {}
    props = {k: v for k, v in (base.get("properties") or {}).items()
             if k not in NOT_INHERITED and not k.startswith("os_glance")}
    props.update(server.get("boot_meta") or {})
    props.update({"base_image_ref": server.get("image_id") or "",
                  "instance_uuid": server["id"], "user_id": ctx.user_id,
                  "image_type": "snapshot"})
    owner = ctx.project_id
    visibility = "private"
    if ctx.project_id != server["project_id"]:
        visibility = "shared"
        props["instance_owner"] = server["project_id"]
    props.update(metadata or {})
    min_disk = max(server["flavor"]["disk"], base.get("min_disk") or 0)
    return images.create_snapshot(name=name, owner=owner, visibility=visibility,
                                  min_ram=base.get("min_ram") or 0, min_disk=min_disk,
                                  disk_format=None, container_format=None,
                                  properties=props)


def _name(args) -> str:
    if not isinstance(args, dict):
        raise invalid_input("createImage", args, f"{args!r} is not of type 'object'")
    if "name" not in args:
        raise invalid_input("createImage", args, "'name' is a required property")
    extra = sorted(set(args) - {"name", "metadata"})
    if extra:
        raise invalid_input("createImage", args, "Additional properties are not allowed "
                            f"({', '.join(repr(k) for k in extra)} was unexpected)")
    name = args["name"]
    if not isinstance(name, str):
        raise invalid_input("name", name, f"{name!r} is not of type 'string'")
    if not name:
        raise invalid_input("name", name, "'' should be non-empty")
    if len(name) > 255:
        raise invalid_input("name", name, f"'{name}' is too long")
    metadata = args.get("metadata") or {}
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise invalid_input("metadata", metadata, "is not a valid metadata object")
    return name


def create_image(request, compute, server, args):
    """POST /servers/{id}/action {"createImage"}: not refused by a lock (Nova's note:
    a lock guards against change and delete, a snapshot is neither)."""
    ctx = request["ctx"]
    if not ctx.can_write:
        raise policy_error("os_compute_api:servers:create_image")
    name = _name(args)
    metadata = dict(args.get("metadata") or {})
    if server["vm_state"] not in SNAPSHOT_STATES:
        raise conflict(server, "createImage", "vm_state")
    if server["task_state"] is not None or server.get("flow"):
        raise conflict(server, "createImage", "task_state")
    image = new_image(compute, server, ctx, name, metadata)
    if image is None:
        raise CloudError(503, "The image service is not available")
    compute.record_action(server, "createImage", ctx, request["request_id"])
    compute.run_flow(server, "createImage", image_id=image["id"])
    if mv(request, "2.45"):
        return json_response({"image_id": image["id"]}, status=202)
    # Nova's Location: the image's URL under Glance's endpoint (its catalog URL + /images/)
    location = f"{request.scheme}://{request.host}/image/images/{image['id']}"
    return web.Response(status=202, headers={"Location": location})


def image_id_ok(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
