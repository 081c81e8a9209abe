"""Glance v2 under /image: version list, images (list, show, create, update, delete),
schemas; image data (upload, download) is image_data.py's. A fresh cloud has the public
`cirros` image that Kolla's init-runonce uploads.

Glance errors are webob HTML pages; app.py's error rendering already shapes them.

Who may do what is Glance 33's default policy: reading needs a reader (or member, or
admin) role in the project (get_images, get_image), changing and downloading needs member
(add_image, modify_image, delete_image, upload_image, download_image), `publicize_image`
is admin-only; a project may make its images private, shared or community. An image the
caller may not read is a 404, one it reads but may not change a 403 naming the policy.
"""

import hashlib
import html
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web

from .cloud import CLOUD_KEY, Cloud
from .errors import CloudError
from .image_data import DataStore, download_image, upload_image
from .routes import add_resource, add_root, public

DEFAULT_LIMIT = 25      # Glance's [DEFAULT] limit_param_default
MAX_LIMIT = 1000        # Glance's [DEFAULT] api_limit_max
SCHEMAS = json.loads((Path(__file__).parent / "glance_schemas.json").read_text())
# In the real Glance 33's order (v2.17, the CURRENT one, comes after v2.8).
VERSIONS = ["v2.15", "v2.13", "v2.12", "v2.11", "v2.10", "v2.9", "v2.8", "v2.17", "v2.7",
            "v2.6", "v2.5", "v2.4", "v2.3", "v2.2", "v2.1", "v2.0"]
CORE = ("name", "disk_format", "container_format", "visibility", "size", "virtual_size",
        "status", "checksum", "protected", "min_ram", "min_disk", "owner", "os_hidden",
        "os_hash_algo", "os_hash_value", "id", "created_at", "updated_at", "tags")
READ_ONLY = {"id", "status", "size", "virtual_size", "checksum", "os_hash_algo",
             "os_hash_value", "created_at", "updated_at", "self", "file", "schema", "direct_url",
             "locations"}
FILTERS = ("name", "status", "owner", "disk_format", "container_format", "id")
VISIBILITIES = ("community", "public", "private", "shared")   # the schema's enum order
STORE = "file"  # Kolla's enabled_backends = file:file; Glance names it in `stores` on upload


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cirros() -> dict:
    # A deterministic stand-in for the cirros 0.6.2 disk: its real size, hashes over
    # stand-in bytes (devcloud never stores image data).
    content = b"devcloud cirros-0.6.2-x86_64-disk.img"
    stamp = _now()
    return {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "devcloud/image/cirros")),
            "name": "cirros", "disk_format": "qcow2", "container_format": "bare",
            "visibility": "public", "size": 21430272, "virtual_size": 117440512,
            "status": "active", "checksum": hashlib.md5(content).hexdigest(),
            "protected": False, "min_ram": 0, "min_disk": 0, "owner": None,
            "os_hidden": False, "os_hash_algo": "sha512",
            "os_hash_value": hashlib.sha512(content).hexdigest(),
            "created_at": stamp, "updated_at": stamp, "tags": [],
            # What `openstack image create --file` leaves: openstacksdk's owner_specified
            # keys (it sends empty hashes unless asked to compute them), the store the data
            # went to, and init-runonce's os_type.
            "properties": {"owner_specified.openstack.md5": "",
                           "owner_specified.openstack.sha256": "",
                           "owner_specified.openstack.object": "images/cirros",
                           "os_type": "linux", "stores": STORE}}


class Images:
    def __init__(self, cloud: Cloud):
        self.cloud = cloud
        self.store = cloud.store
        self.data = DataStore(cloud.config.state_dir)

    def seed(self) -> None:
        image = _cirros()
        admin = self.cloud.services["identity"].project_by_name("admin")
        image["owner"] = admin["id"] if admin else None
        self.store["images"][image["id"]] = image
        self.store.touch()

    def visible(self, image: dict, ctx) -> bool:
        return (ctx.is_admin or image["visibility"] in ("public", "community")
                or image["owner"] == ctx.project_id)

    @staticmethod
    def can_read(ctx) -> bool:
        return ctx.is_admin or bool({"reader", "member"} & set(ctx.roles))

    def get(self, image_id: str, ctx) -> dict:
        image = self.store["images"].get(image_id)
        if image is None or not self.visible(image, ctx) or not self.can_read(ctx):
            raise CloudError(404, f"No image found with ID {image_id}")
        return image

    def writable(self, image_id: str, ctx, action: str, missing: str = "") -> dict:
        """The image, if the caller may `action` it (modify_image, delete_image,
        upload_image): one it cannot see is a 404 (`missing`, else "No image found"),
        one it sees but does not own a 403 naming the policy, as Glance words them."""
        image = self.store["images"].get(image_id)
        if image is None or not self.visible(image, ctx) or not self.can_read(ctx):
            raise CloudError(404, missing or f"No image found with ID {image_id}")
        if not ctx.is_admin and (image["owner"] != ctx.project_id or not ctx.can_write):
            raise CloudError(403, f"You are not authorized to complete {action} action.")
        return image

    def activate(self, image: dict, *, size: int, checksum: str, sha512: str,
                 virtual_size: int | None) -> None:
        """An image whose data has been stored: active, with its size and hashes."""
        image.update(status="active", size=size, virtual_size=virtual_size,
                     checksum=checksum, os_hash_algo="sha512", os_hash_value=sha512,
                     updated_at=_now())
        image.setdefault("properties", {})["stores"] = STORE
        self.store.touch()

    def remove(self, image: dict) -> None:
        """The image and its data gone (an upload still streaming answers 410)."""
        self.store["images"].pop(image["id"], None)
        self.data.remove(image["id"])
        self.store.touch()

    # --- what Nova's snapshots (createImage, shelve) do, in-process ------------------
    def create_snapshot(self, *, name: str, owner: str, visibility: str, min_ram: int,
                        min_disk: int, disk_format, container_format,
                        properties: dict) -> dict:
        """The record Nova creates before uploading a snapshot: queued, no data yet."""
        stamp = _now()
        image = {"id": str(uuid.uuid4()), "name": name, "disk_format": disk_format,
                 "container_format": container_format, "visibility": visibility,
                 "size": None, "virtual_size": None, "status": "queued", "checksum": None,
                 "protected": False, "min_ram": min_ram, "min_disk": min_disk,
                 "owner": owner, "os_hidden": False, "os_hash_algo": None,
                 "os_hash_value": None, "created_at": stamp, "updated_at": stamp,
                 "tags": [], "properties": dict(properties)}
        self.store["images"][image["id"]] = image
        self.store.touch()
        return image

    def snapshot_saving(self, image_id: str) -> None:
        image = self.store["images"].get(image_id)
        if image is not None and image["status"] == "queued":
            image.update(status="saving", updated_at=_now())
            self.store.touch()

    def snapshot_active(self, image_id: str) -> None:
        """The upload ends: the fake hypervisor's 1 KiB of zeros, as the real one's."""
        image = self.store["images"].get(image_id)
        if image is None or image["status"] not in ("queued", "saving"):
            return
        data = b"\0" * 1024
        path = self.data.path(image_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        image.update(disk_format=image["disk_format"] or "raw",
                     container_format=image["container_format"] or "bare")
        self.activate(image, size=len(data), checksum=hashlib.md5(data).hexdigest(),
                      sha512=hashlib.sha512(data).hexdigest(), virtual_size=len(data))


def view(image: dict) -> dict:
    out = {k: image.get(k) for k in CORE}
    out.update(image.get("properties", {}))
    out.update({"self": f"/v2/images/{image['id']}", "file": f"/v2/images/{image['id']}/file",
                "schema": "/v2/schemas/image"})
    return out


def _images(request) -> Images:
    return request.app[CLOUD_KEY].services["image"]


@public
async def versions(request):
    """Glance's version list: 300 Multiple Choices at the root, but 200 at /versions, where
    the client asked for exactly this document."""
    href = f"{request.scheme}://{request.host}/image/v2/"
    doc = [{"id": v, "status": "CURRENT" if v == "v2.17" else "SUPPORTED",
            "links": [{"rel": "self", "href": href}]} for v in VERSIONS]
    status = 200 if request.path == "/image/versions" else 300
    return web.json_response({"versions": doc}, status=status)


def _filter_ok(wanted: str, actual) -> bool:
    """Glance filter values: exact, or the `in:a,b,c` operator (as the CLI sends for ids)."""
    if wanted == "all":
        return True
    if wanted.startswith("in:"):
        return str(actual) in wanted[3:].split(",")
    return str(actual) == wanted


def _visibility_wanted(request) -> str | None:
    wanted = request.query.get("visibility")
    if wanted is not None and wanted not in (*VISIBILITIES, "all"):
        raise CloudError(400, f"Invalid visibility value: {wanted}")
    return wanted


def _listed_by_visibility(image: dict, wanted: str | None, ctx) -> bool:
    """Glance's list: without a filter, every visible image but other projects'
    community ones (an admin sees every project's private and shared images too);
    visibility=all adds those; visibility=X only X."""
    if wanted == "all":
        return True
    if wanted is not None:
        return image["visibility"] == wanted
    return image["visibility"] != "community" or image["owner"] == ctx.project_id


def _listed(request, images: Images) -> list[dict]:
    ctx = request["ctx"]
    q = request.query
    wanted_visibility = _visibility_wanted(request)
    out = []
    for image in images.store["images"].values():
        if not images.visible(image, ctx):
            continue
        if not _listed_by_visibility(image, wanted_visibility, ctx):
            continue
        if image.get("os_hidden") and q.get("os_hidden", "false").lower() != "true":
            continue
        if not all(_filter_ok(q[f], image.get(f)) for f in FILTERS if f in q):
            continue
        if "tag" in q and not set(q.getall("tag")) <= set(image["tags"]):
            continue
        out.append(image)
    key = q.get("sort_key", "created_at")
    reverse = q.get("sort_dir", "desc") == "desc"
    out.sort(key=lambda i: (str(i.get(key) or ""), i["id"]), reverse=reverse)
    return out


async def list_images(request):
    images = _images(request)
    if not images.can_read(request["ctx"]):
        raise CloudError(403, "You are not authorized to complete get_images action.")
    q = request.query
    try:
        limit = min(int(q.get("limit", DEFAULT_LIMIT)), MAX_LIMIT)
    except ValueError:
        raise CloudError(400, "limit param must be an integer") from None
    if limit < 0:
        raise CloudError(400, "limit param must be positive")
    listed = _listed(request, images)
    if "marker" in q:
        ids = [i["id"] for i in listed]
        if q["marker"] not in ids:
            raise CloudError(400, f"No image found with ID {q['marker']}")
        listed = listed[ids.index(q["marker"]) + 1:]
    page = listed[:limit]
    first = "/v2/images" + (f"?{request.query_string}" if request.query_string else "")
    body = {"images": [view(i) for i in page], "first": first, "schema": "/v2/schemas/images"}
    # Glance offers a next page whenever this one is full (it does not look further)
    if len(page) == limit and page:
        params = [(k, v) for k, v in q.items() if k != "marker"]
        if "limit" not in q:
            params.append(("limit", str(limit)))
        params.append(("marker", page[-1]["id"]))
        body["next"] = f"/v2/images?{urlencode(params)}"
    return web.json_response(body)


async def show_image(request):
    return web.json_response(view(_images(request).get(request.match_info["image_id"],
                                                       request["ctx"])))


def check_visibility(value, ctx) -> None:
    """A visibility a create or PATCH may set: one of the schema's (400, in the words of
    Glance's jsonschema check), public only for admins (publicize_image)."""
    if value not in VISIBILITIES:
        schema = ("{'type': 'string',\n     'description': 'Scope of image accessibility',"
                  f"\n     'enum': {list(VISIBILITIES)!r}}}")
        said = (f"Provided object does not match schema 'image': {value!r} is not one of "
                f"{list(VISIBILITIES)!r}\n\nFailed validating 'enum' in "
                f"schema['properties']['visibility']:\n    {schema}\n\n"
                f"On instance['visibility']:\n    {value!r}")
        raise CloudError(400, html.escape(said))
    if value == "public" and not ctx.is_admin:
        raise CloudError(403, "You are not authorized to complete publicize_image action.")


async def create_image(request):
    ctx = request["ctx"]
    if not ctx.can_write:
        raise CloudError(403, "You are not authorized to complete add_image action.")
    body = await request.json()
    bad = [k for k in body if k in READ_ONLY - {"id"}]
    if bad:
        raise CloudError(403, f"Attribute '{bad[0]}' is read-only.")
    visibility = body.get("visibility", "shared")
    check_visibility(visibility, ctx)
    stamp = _now()
    image = {"id": body.get("id") or str(uuid.uuid4()), "name": body.get("name"),
             "disk_format": body.get("disk_format"),
             "container_format": body.get("container_format"), "visibility": visibility,
             "size": None, "virtual_size": None, "status": "queued", "checksum": None,
             "protected": bool(body.get("protected", False)),
             "min_ram": int(body.get("min_ram", 0)), "min_disk": int(body.get("min_disk", 0)),
             "owner": ctx.project_id, "os_hidden": bool(body.get("os_hidden", False)),
             "os_hash_algo": None, "os_hash_value": None, "created_at": stamp,
             "updated_at": stamp, "tags": list(body.get("tags", [])),
             "properties": {k: v for k, v in body.items() if k not in CORE}}
    store = _images(request).store
    if image["id"] in store["images"]:
        raise CloudError(409, f"Image with identifier {image['id']} already exists!")
    store["images"][image["id"]] = image
    store.touch()
    return web.json_response(view(image), status=201, headers={
        "Location": f"{request.scheme}://{request.host}/image/v2/images/{image['id']}"})


async def update_image(request):
    """PATCH with application/openstack-images-v2.1-json-patch (top-level paths only)."""
    image = _images(request).writable(request.match_info["image_id"], request["ctx"],
                                      "modify_image")
    ops = await request.json()
    for op in ops:
        name = op.get("path", "").lstrip("/")
        if name in READ_ONLY:
            raise CloudError(403, f"Attribute '{name}' is read-only.")
        if name == "visibility" and op.get("op") in ("add", "replace"):
            check_visibility(op.get("value"), request["ctx"])
        target = image if name in CORE else image.setdefault("properties", {})
        if op.get("op") in ("add", "replace"):
            target[name] = op.get("value")
        elif op.get("op") == "remove":
            target.pop(name, None)
    image["updated_at"] = _now()
    _images(request).store.touch()
    return web.json_response(view(image))


async def delete_image(request):
    images, image_id = _images(request), request.match_info["image_id"]
    image = images.writable(image_id, request["ctx"], "delete_image",
                            missing=f"Failed to find image {image_id} to delete")
    if image["protected"]:
        raise CloudError(403, f"Image {image['id']} is protected and cannot be deleted.")
    images.remove(image)
    return web.Response(status=204, content_type="text/html")


# Image actions (v2.3): admin-only by Glance's default policy; from `active` (or already
# in the target status, a no-op) only, else Glance's domain refuses with a 403 in these words.
ACTIONS = {"deactivate": ("active", "deactivated"), "reactivate": ("deactivated", "active")}


async def image_action(request):
    action, ctx = request.match_info["action"], request["ctx"]
    if action not in ACTIONS:
        raise CloudError(404, "The resource could not be found.")
    images = _images(request)
    image = images.get(request.match_info["image_id"], ctx)
    if not ctx.is_admin:
        raise CloudError(403, f"You are not authorized to complete {action} action.")
    source, target = ACTIONS[action]
    if image["status"] not in (source, target):
        raise CloudError(403, f"Not allowed to {action} image in status '{image['status']}'")
    if image["status"] == source:
        image.update(status=target, updated_at=_now())
        images.store.touch()
    return web.Response(status=204, content_type="text/html")


async def schema_image(request):
    return web.json_response(SCHEMAS["image"])


async def schema_images(request):
    return web.json_response(SCHEMAS["images"])


def setup(app: web.Application, cloud: Cloud) -> None:
    images = Images(cloud)
    cloud.services["image"] = images
    r = app.router
    add_root(r, "/image", versions)
    r.add_get("/image/versions", versions)
    image = add_resource(r, "/image/v2/images", list_=list_images, create=create_image,
                         show=show_image, update=update_image, delete=delete_image,
                         key="image_id", update_method="PATCH")
    r.add_put(f"{image}/file", upload_image)
    r.add_get(f"{image}/file", download_image)
    r.add_post(f"{image}/actions/{{action}}", image_action)
    r.add_get("/image/v2/schemas/image", schema_image)
    r.add_get("/image/v2/schemas/images", schema_images)
