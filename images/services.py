"""Operations that change Glance, each with the actor's connection (the person's own
token) and each ending in portal.changes.announce: the audit row and the image's row on
every open images page of the project.

    upload(actor, fields, read, size)   create the record, stream the file into it; a
                                        broken or refused upload deletes the record
    set_visibility(actor, image, v)     private, shared, community; public for admins
    delete(actor, image)
"""

import logging

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as os_exc
from openstack.image.v2.image import Image

from portal.changes import afterwards, announce
from portal.errors import CloudRefused
from portal.streaming import BodyBroken

from . import errors, fragments, selectors
from .body import StreamedFile
from .errors import refusals

log = logging.getLogger(__name__)
RECORD_FIELDS = ("name", "disk_format", "container_format", "visibility", "min_disk",
                 "min_ram")


class UploadBroken(CloudRefused):
    """The browser stopped sending half way; the record is gone (or, if Glance would not
    delete it, `left` names it)."""

    def __init__(self, message: str, left: str | None = None):
        super().__init__(message)
        self.left = left


def label(image: dict) -> str:
    return f"{image.get('name') or image['id']} ({image['id']})"


def check_visibility(actor, visibility: str) -> None:
    if visibility == "public" and not actor.perms.is_admin:
        raise CloudRefused("Only cloud administrators can make an image public. Choose "
                           "“shared” or “community” to let other projects use it.")


def create_record(actor, fields: dict) -> dict:
    """The image record (queued, no data yet). openstacksdk's Image resource, not
    conn.image.create_image(): that one uploads a file of the portal's own disk when the
    name happens to be a path that exists there."""
    check_visibility(actor, fields["visibility"])
    attrs = {k: fields[k] for k in RECORD_FIELDS}
    with refusals(errors.CREATE):
        image = Image.new(**attrs).create(actor.conn.image).to_dict(computed=False)
    record = selectors.find_image(actor, image["id"]) or image
    announce(actor, "image.create", label(record), detail=f"{fields['size']} bytes to come",
             event=fragments.added(record, actor))
    return record


def discard(actor, image: dict, why: str) -> str | None:
    """Delete the half-made record; None when it is gone, else what was left."""
    try:
        actor.conn.image.delete_image(image["id"], ignore_missing=True)
    except (os_exc.SDKException, ks_exc.ClientException):
        log.warning("upload of %s failed (%s) and its record could not be deleted",
                    image["id"], why, exc_info=True)
        left = image["id"]
    else:
        left = None
    afterwards("image.upload_failed", announce, actor, "image.upload_failed", label(image),
               detail=why if left is None else f"{why}; record {left} left in Glance",
               event=fragments.removed(image["id"]) if left is None else "")
    return left


def _broken_words(image: dict, sent: int, size: int, left: str | None) -> str:
    said = (f"The upload of “{image.get('name')}” broke off after {sent} of {size} bytes "
            "(the browser stopped sending).")
    if left:
        return f"{said} The half-made image {left} could not be deleted; delete it by hand."
    return f"{said} The half-made image was deleted; nothing is left. Try again."


def send_data(actor, image: dict, read, size: int) -> dict:
    """Stream `size` bytes from `read` into the queued `image` (Glance's PUT .../file,
    through openstacksdk's Image.upload). Any failure deletes the record."""
    body = StreamedFile(read, size)
    try:
        with refusals(errors.UPLOAD, name=image.get("name")):
            resp = Image.existing(id=image["id"]).upload(actor.conn.image, data=body,
                                                         size=size)
            os_exc.raise_from_response(resp)
    except BodyBroken as broke:
        left = discard(actor, image, f"broken off after {body.sent} bytes: {broke}")
        raise UploadBroken(_broken_words(image, body.sent, size, left), left) from broke
    except CloudRefused as refused:
        left = discard(actor, image, refused.message)
        if left:
            refused.message += f" The image record {left} could not be deleted."
        raise
    except BaseException as exc:    # Glance unreachable, a timeout: no orphan either
        discard(actor, image, f"{type(exc).__name__}: {exc}")
        raise
    done = selectors.find_image(actor, image["id"]) or image
    announce(actor, "image.upload", label(done), detail=f"{size} bytes",
             event=fragments.changed(done, actor))
    return done


def upload(actor, fields: dict, read, size: int) -> dict:
    """A whole upload: the record, then its data."""
    if size <= 0:
        raise CloudRefused("The file is empty: choose a disk image to upload.")
    image = create_record(actor, fields)
    return send_data(actor, image, read, size)


def set_visibility(actor, image: dict, visibility: str) -> dict:
    check_visibility(actor, visibility)
    with refusals(errors.VISIBILITY, name=image.get("name")):
        # the resource as it is (its visibility), so the PATCH is a json-patch `replace`
        current = Image.existing(id=image["id"], visibility=image.get("visibility"))
        updated = actor.conn.image.update_image(current, visibility=visibility)
    changed = {**image, "visibility": updated.visibility}
    announce(actor, "image.visibility", label(image), detail=visibility,
             event=fragments.changed(changed, actor))
    return changed


def delete(actor, image: dict) -> None:
    with refusals(errors.DELETE, name=image.get("name")):
        actor.conn.image.delete_image(image["id"], ignore_missing=False)
    announce(actor, "image.delete", label(image), event=fragments.removed(image["id"]))
