"""Glance v2 under /image: version list, images (list, show, create, upload, update, delete),
schemas. A fresh cloud has the public `cirros` image that Kolla's init-runonce uploads.

Glance errors are webob HTML pages; app.py's error rendering already shapes them.
"""

import hashlib
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web

from .cloud import CLOUD_KEY, Cloud
from .errors import CloudError
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
FILTERS = ("name", "status", "visibility", "owner", "disk_format", "container_format", "id")
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

    def seed(self) -> None:
        image = _cirros()
        admin = self.cloud.services["identity"].project_by_name("admin")
        image["owner"] = admin["id"] if admin else None
        self.store["images"][image["id"]] = image
        self.store.touch()

    def visible(self, image: dict, ctx) -> bool:
        return (ctx.is_admin or image["visibility"] in ("public", "community")
                or image["owner"] == ctx.project_id)

    def get(self, image_id: str, ctx) -> dict:
        image = self.store["images"].get(image_id)
        if image is None or not self.visible(image, ctx):
            raise CloudError(404, f"No image found with ID {image_id}")
        return image


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


def _listed(request, images: Images) -> list[dict]:
    ctx = request["ctx"]
    q = request.query
    wanted_visibility = q.get("visibility")
    out = []
    for image in images.store["images"].values():
        if not images.visible(image, ctx):
            continue
        # community images are listed only when asked for, as in Glance
        if image["visibility"] == "community" and wanted_visibility not in ("community", "all"):
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
    if len(listed) > limit and page:
        params = [(k, v) for k, v in q.items() if k != "marker"]
        if "limit" not in q:
            params.append(("limit", str(limit)))
        params.append(("marker", page[-1]["id"]))
        body["next"] = f"/v2/images?{urlencode(params)}"
    return web.json_response(body)


async def show_image(request):
    return web.json_response(view(_images(request).get(request.match_info["image_id"],
                                                       request["ctx"])))


def _require_writer(request):
    if not request["ctx"].can_write:
        raise CloudError(403, "You are not authorized to complete add_image action.")


async def create_image(request):
    _require_writer(request)
    ctx = request["ctx"]
    body = await request.json()
    bad = [k for k in body if k in READ_ONLY - {"id"}]
    if bad:
        raise CloudError(403, f"Attribute '{bad[0]}' is read-only.")
    visibility = body.get("visibility", "shared")
    if visibility == "public" and not ctx.is_admin:
        raise CloudError(403, "You are not authorized to complete publicize_image action.")
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


def _own(request) -> dict:
    image = _images(request).get(request.match_info["image_id"], request["ctx"])
    ctx = request["ctx"]
    if not ctx.is_admin and (image["owner"] != ctx.project_id or not ctx.can_write):
        raise CloudError(403, "You are not permitted to modify this image.")
    return image


async def upload_image(request):
    image = _own(request)
    md5, sha512, size = hashlib.md5(), hashlib.sha512(), 0
    async for chunk in request.content.iter_chunked(1 << 16):
        md5.update(chunk)
        sha512.update(chunk)
        size += len(chunk)
    image.update(status="active", size=size, virtual_size=size, checksum=md5.hexdigest(),
                 os_hash_algo="sha512", os_hash_value=sha512.hexdigest(), updated_at=_now())
    image.setdefault("properties", {})["stores"] = STORE
    _images(request).store.touch()
    return web.Response(status=204)


async def update_image(request):
    """PATCH with application/openstack-images-v2.1-json-patch (top-level paths only)."""
    image = _own(request)
    ops = await request.json()
    for op in ops:
        name = op.get("path", "").lstrip("/")
        if name in READ_ONLY:
            raise CloudError(403, f"Attribute '{name}' is read-only.")
        target = image if name in CORE else image.setdefault("properties", {})
        if op.get("op") in ("add", "replace"):
            target[name] = op.get("value")
        elif op.get("op") == "remove":
            target.pop(name, None)
    image["updated_at"] = _now()
    _images(request).store.touch()
    return web.json_response(view(image))


async def delete_image(request):
    image = _own(request)
    if image["protected"]:
        raise CloudError(403, f"Image {image['id']} is protected and cannot be deleted.")
    store = _images(request).store
    del store["images"][image["id"]]
    store.touch()
    return web.Response(status=204)


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
    r.add_get("/image/v2/schemas/image", schema_image)
    r.add_get("/image/v2/schemas/images", schema_images)
