"""Rebuild: the server's disk wiped and made again from an image (optionally a new name
and key pair), one Nova call; the steps are its action run's, followed by the poller."""

from openstack import exceptions as os_exc

from ..errors import explain
from .actions import ACTION_REFUSALS
from .common import accepted, check

REBUILD_REFUSALS = [
    (r"Cannot find image for rebuild|Image .* could not be found",
     "That image no longer exists or is not visible to your project. Pick another one."),
    (r"Image .* is not active", "That image is not ready (still uploading or deactivated). "
                                "Pick another one."),
    (r"Flavor's (memory|disk) is too small",
     "The server's flavor is too small for that image ({0}). Pick another image or resize "
     "the server first."),
    (r"Invalid key_name|Key pair .* not found",
     "That key pair no longer exists. Pick another one."),
    *ACTION_REFUSALS,
]


def rebuild(actor, server, image, name: str = "", key_name: str = "") -> str:
    check(actor, server, "rebuild")
    old = server.name  # openstacksdk updates `server` from Nova's answer
    attrs = {}
    if name:
        attrs["name"] = name
    if key_name:
        attrs["key_name"] = key_name
    try:
        actor.conn.compute.rebuild_server(server, image.id, **attrs)
    except os_exc.HttpException as exc:
        raise explain(exc, REBUILD_REFUSALS) from None
    image_name = image.name or image.id
    detail = f"from image {image_name}" + (f", named {name}" if name else "") + \
        (f", key pair {key_name}" if key_name else "")
    accepted(actor, server, "rebuild", detail, "rebuilding", target=old)
    return f"Rebuild of {old} requested ({detail})."
