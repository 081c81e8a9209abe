"""Create a snapshot: Nova's createImage, one call, which answers with the new Glance
image's id; the poller follows the server's task_state and then the image up to
`active` (vms.snapshots: one Glance list call per tick for every snapshot uploading)."""

from openstack import exceptions as os_exc

from portal.changes import afterwards

from .. import snapshots
from ..errors import explain
from .actions import ACTION_REFUSALS
from .common import accepted, check

SNAPSHOT_REFUSALS = [
    (r"Quota exceeded|[Mm]aximum number of images|image_count_total",
     "Your project's image quota does not allow another snapshot: {nova}"),
    (r"should be non-empty", "Give the snapshot a name."),
    *ACTION_REFUSALS,
]


def create_snapshot(actor, server, name: str) -> str:
    """Returns what to tell the person. Uses the Server's own createImage (one call:
    openstacksdk's create_server_image would fetch the image again afterwards)."""
    check(actor, server, "snapshot")
    try:
        image_id = server.create_image(actor.conn.compute, name)
    except os_exc.HttpException as exc:
        raise explain(exc, SNAPSHOT_REFUSALS) from None
    afterwards(f"snapshot of {server.id}", snapshots.start, server, name, image_id)
    accepted(actor, server, "snapshot", f"image {name} ({image_id})", "image_snapshot",
             extra=afterwards(f"snapshot of {server.id}", snapshots.fragment, server.id)
             or "")
    return f"Snapshot {name} of {server.name} requested: image {image_id}."
