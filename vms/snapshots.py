"""Snapshots followed to `active`: Nova answers createImage with the new image's id and
goes on uploading it (the server's task_states are its action run's, vms.action_steps);
the image is followed here, with one Glance list call (id=in:…) per poll for every
snapshot still uploading, with the poller's service account. Nothing per browser.

    start(server, name, image_id)   Nova accepted the snapshot
    follow_images(conn)             the poller's one Glance call: status, and the end
    pending()                       a snapshot still uploading keeps polls fast
    view(server_id) / fragment(server_id)   what the detail page shows
"""

from django.template.loader import render_to_string
from django.utils import timezone

from .models import Snapshot

SHOWN = 5
DONE = {"active"}
FAILED = {"killed", "deleted", "pending_delete", "deactivated"}


def start(server, name: str, image_id: str) -> Snapshot:
    return Snapshot.objects.create(server_id=server.id, project_id=server.project_id,
                                   name=name, image_id=image_id)


def _uploading():
    return Snapshot.objects.filter(ended_at=None)


def pending() -> bool:
    """The server is idle again long before Glance has the whole image: polls stay fast
    while one uploads."""
    return _uploading().exists()


def follow_images(conn) -> dict[str, str]:
    """One Glance call for every snapshot still uploading; returns the fragments to
    publish, by project (only for those whose status moved)."""
    snaps = list(_uploading())
    if not snaps:
        return {}
    ids = sorted({s.image_id for s in snaps})
    found = {i.id: i.status for i in conn.image.images(id="in:" + ",".join(ids))}
    moved = set()
    for snap in snaps:
        status = found.get(snap.image_id, "gone")  # deleted before it was active
        if status == snap.status:
            continue
        snap.status = status
        if status in DONE or status in FAILED or status == "gone":
            snap.ended_at = timezone.now()
            snap.failed = status not in DONE
        snap.save(update_fields=["status", "ended_at", "failed"])
        moved.add((snap.project_id, snap.server_id))
    out: dict[str, str] = {}
    for project_id, server_id in moved:
        out[project_id] = out.get(project_id, "") + fragment(server_id)
    return out


def view(server_id: str) -> list[Snapshot]:
    return list(Snapshot.objects.filter(server_id=server_id)[:SHOWN])


def fragment(server_id: str) -> str:
    return render_to_string("vms/_snapshots.html", {
        "snapshots": view(server_id), "snapshots_server_id": server_id, "oob": True})
