"""Glance v2 image data: `PUT /v2/images/{id}/file` (upload) and `GET .../file`
(download), as Glance 33 with the filesystem store does them.

Upload, checked against the real Glance 33 (2026.2):
- only a `queued` image takes data (else 409 "Image status transition from active to
  saving is not allowed"); only `application/octet-stream` (else 415);
- the image is `saving` while the body streams in (chunked or with a Content-Length),
  then `active` with size, checksum (md5), os_hash_algo sha512 and os_hash_value, 204;
- `X-OpenStack-Image-Size` is what Glance holds the stream to: more data is "Size
  exceeds: expected N bytes, got M bytes", less is "Size mismatch: ..." (400);
- qcow2, vmdk, vhd, vhdx, vdi and iso data are inspected: data of another format is 415
  "Image disk_format qcow2 does not match stream data raw"; raw, ami, ari, aki and ploop
  take any bytes. A qcow2's virtual_size is read from its header, a raw's is its size;
- an upload that fails or breaks off puts the image back to `queued` with no data;
- an image deleted while its data streams in answers the upload with 410 (text/plain).

The bytes go to a file per image in the state directory (as Glance's file store keeps
them), written as they arrive: an upload is never held in memory.
"""

import asyncio
import hashlib
import os
import struct
import tempfile
from pathlib import Path

from aiohttp import web

from .cloud import CLOUD_KEY
from .errors import CloudError, glance_page

CHUNK = 1 << 16
INSPECTED = ("qcow2", "vmdk", "vhd", "vhdx", "vdi", "iso")
HEAD = 32774            # enough for the iso's "CD001" at 32769


class DataStore:
    """Where image bytes live: `<state dir>/image-data/<image id>` (a temporary
    directory for a devcloud without a state directory)."""

    def __init__(self, state_dir: Path | None):
        self.root = (Path(state_dir) if state_dir else Path(tempfile.mkdtemp(
            prefix="devcloud-images-"))) / "image-data"

    def path(self, image_id: str) -> Path:
        return self.root / image_id

    def has(self, image_id: str) -> bool:
        return self.path(image_id).exists()

    def remove(self, image_id: str) -> None:
        for path in (self.path(image_id), self.partial(image_id)):
            path.unlink(missing_ok=True)

    def partial(self, image_id: str) -> Path:
        return self.root / f".{image_id}.part"


def detect_format(head: bytes) -> str:
    """The disk format the first bytes show (Glance's format inspector, for the formats
    it checks on upload); "raw" for anything else."""
    if head[:4] == b"QFI\xfb":
        return "qcow2"
    if head[:4] == b"KDMV":
        return "vmdk"
    if head[:8] == b"vhdxfile":
        return "vhdx"
    if head[:8] == b"conectix":
        return "vhd"
    if len(head) >= 0x44 and struct.unpack_from("<I", head, 0x40)[0] == 0xBEDA107F:
        return "vdi"
    if head[32769:32774] == b"CD001":
        return "iso"
    return "raw"


def virtual_size(disk_format: str, head: bytes, size: int) -> int | None:
    """What Glance reports as virtual_size: a raw image's size, a qcow2's from its
    header; None where devcloud does not read the format."""
    if disk_format == "raw":
        return size
    if disk_format == "qcow2" and len(head) >= 32:
        return struct.unpack_from(">Q", head, 24)[0]
    return None


def unsupported_media(request, media: str, detail: str) -> web.Response:
    """webob's 415 page, which Glance fills with a detail after webob's explanation."""
    return glance_page(415, f"The request media type {media} is not supported by this "
                            "server.", request.headers.get("Accept"), detail)


def gone_during_upload(image_id: str) -> web.Response:
    text = (f"410 Gone\n\nImage {image_id} could not be found after upload. The image may "
            "have been deleted during the upload, cleaning up the chunks uploaded.\n\n   ")
    return web.Response(text=text, status=410, content_type="text/plain")


def _expected_size(request) -> int | None:
    raw = request.headers.get("X-OpenStack-Image-Size")
    if raw is None:
        return request.content_length
    try:
        return int(raw)
    except ValueError:
        raise CloudError(400, "Invalid or missing image size in request headers.") from None


class Upload:
    """One upload's running state: the partial file, the hashes, the first bytes."""

    def __init__(self, path: Path):
        self.path = path
        self.file = open(path, "wb")  # noqa: SIM115 - closed in finish()/abandon()
        self.md5, self.sha512 = hashlib.md5(), hashlib.sha512()
        self.size = 0
        self.head = b""

    def add(self, chunk: bytes) -> None:
        self.file.write(chunk)
        self.md5.update(chunk)
        self.sha512.update(chunk)
        self.size += len(chunk)
        if len(self.head) < HEAD:
            self.head += chunk[:HEAD - len(self.head)]

    def close(self) -> None:
        self.file.close()

    def abandon(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


async def _receive(request, upload: Upload, expected: int | None) -> None:
    async for chunk in request.content.iter_chunked(CHUNK):
        upload.add(chunk)
        if expected is not None and upload.size > expected:
            raise CloudError(400, f"Size exceeds: expected {expected} bytes, got "
                                  f"{upload.size} bytes")
    if expected is not None and upload.size != expected:
        raise CloudError(400, f"Size mismatch: expected {expected} bytes, got "
                              f"{upload.size} bytes")


def _restore(images, image: dict) -> None:
    """Glance's _restore: a failed upload leaves the image queued, without data."""
    if images.store["images"].get(image["id"]) is image:
        image["status"] = "queued"
        images.store.touch()


async def upload_image(request):
    images = request.app[CLOUD_KEY].services["image"]
    image = images.writable(request.match_info["image_id"], request["ctx"], "upload_image")
    media = request.content_type
    if media != "application/octet-stream":
        return unsupported_media(request, media, f"Invalid content type {media}")
    if image["status"] != "queued":
        raise CloudError(409, f"Image status transition from {image['status']} to saving "
                              "is not allowed")
    expected = _expected_size(request)
    data = images.data
    data.root.mkdir(parents=True, exist_ok=True)
    image["status"] = "saving"
    images.store.touch()
    upload = Upload(data.partial(image["id"]))
    try:
        await _receive(request, upload, expected)
    except BaseException:       # a refusal, a client gone half way, a cancelled handler
        upload.abandon()
        _restore(images, image)
        raise
    upload.close()
    if images.store["images"].get(image["id"]) is not image:   # deleted meanwhile
        upload.abandon()
        return gone_during_upload(image["id"])
    found = detect_format(upload.head)
    if image["disk_format"] in INSPECTED and found != image["disk_format"]:
        upload.abandon()
        _restore(images, image)
        return unsupported_media(request, media, f"Image disk_format {image['disk_format']} "
                                                 f"does not match stream data {found}")
    os.replace(upload.path, data.path(image["id"]))
    images.activate(image, size=upload.size, checksum=upload.md5.hexdigest(),
                    sha512=upload.sha512.hexdigest(),
                    virtual_size=virtual_size(image["disk_format"], upload.head, upload.size))
    return web.Response(status=204, content_type="text/html")


async def download_image(request):
    """The image's bytes (200, with Content-MD5 and Content-Length as Glance sends them),
    or 204 for an image that has none (queued, or one devcloud holds no bytes for: the
    seeded cirros)."""
    images = request.app[CLOUD_KEY].services["image"]
    ctx = request["ctx"]
    image = images.get(request.match_info["image_id"], ctx)
    if not ctx.can_write:           # download_image: member, unlike reading the record
        raise CloudError(403, "You are not authorized to complete download_image action.")
    if image["status"] == "deactivated" and not ctx.is_admin:
        raise CloudError(403, "The requested image has been deactivated. Image data "
                              "download is prohibited.")
    path = images.data.path(image["id"])
    if image["status"] != "active" or not path.exists():
        return web.Response(status=204)
    resp = web.StreamResponse(status=200, headers={
        "Content-Type": "application/octet-stream", "Content-MD5": image["checksum"] or "",
        "Content-Length": str(path.stat().st_size)})
    await resp.prepare(request)
    with open(path, "rb") as f:
        while chunk := await asyncio.to_thread(f.read, 1 << 20):
            await resp.write(chunk)
    await resp.write_eof()
    return resp
