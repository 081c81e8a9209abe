"""What each volumes page shows, and the Cinder (and Nova) calls it costs:

    list      one page of the project's volumes (GET /volumes/detail?limit=50&marker=),
              its servers' names (GET /servers, ids and names: one call for all rows,
              none of the Neutron look-ups Nova makes for each server of servers/detail)
              and the snapshots (/snapshots/detail), concurrently: 3 calls however many
              volumes
    detail    the volume, the project's servers (names, and whom to attach to), its
              snapshots: 3 calls
    create    types, zones, quota with usage, images, snapshots, volumes: 6 concurrent calls

An admin's token may read any project's volume: `owned` checks the project, 404 otherwise.
"""

from openstack import exceptions as os_exc

from portal import reads
from portal.cloud import gather

from . import rows

MV = "3.60"  # updated_at filters; the fields every page reads are there from 3.0
PAGE_SIZE = 50


def _volumes(conn) -> list[dict]:
    return reads.follow(conn.block_storage, "/volumes/detail", "volumes", {},
                        microversion=MV)


def _snapshots(conn) -> list[dict]:
    return reads.follow(conn.block_storage, "/snapshots/detail", "snapshots", {},
                        microversion=MV)


def _servers(conn, project_id: str) -> list[dict]:
    found = reads.collection(conn.compute, "/servers/detail", "servers")
    return [s for s in found if reads.project_of(s) == project_id]


def _server_names(conn) -> list[dict]:
    """The project's servers, id and name (Nova lists the token's project's only)."""
    return reads.follow(conn.compute, "/servers", "servers", {})


def _names(servers: list[dict]) -> dict:
    return {s["id"]: s.get("name") or s["id"] for s in servers}


def quota(conn, project_id: str) -> dict:
    """Cinder's volumes and gigabytes: limit, in use, and what is left (None: no limit)."""
    q = reads.get(conn.block_storage, f"/os-quota-sets/{project_id}",
                  {"usage": "True"})["quota_set"]
    out = {}
    for key in ("volumes", "gigabytes", "snapshots"):
        limit, used = q[key]["limit"], q[key]["in_use"]
        out[key] = {"limit": limit, "used": used,
                    "left": None if limit < 0 else max(0, limit - used)}
    return out


def _volume_page(conn, marker: str | None) -> dict:
    params = {"limit": PAGE_SIZE, **({"marker": marker} if marker else {})}
    return reads.get(conn.block_storage, "/volumes/detail", params, microversion=MV)


def volumes_page(actor, marker: str | None = None) -> dict:
    conn, project = actor.conn, actor.project_id
    try:
        found = gather(page=lambda: _volume_page(conn, marker),
                       servers=lambda: _server_names(conn),
                       snapshots=lambda: _snapshots(conn))
    except os_exc.NotFoundException:
        if marker:  # that volume is gone: the first page, and say so
            return {**volumes_page(actor), "marker_lost": True}
        raise
    names = _names(found["servers"])
    listed = found["page"].get("volumes", [])
    volumes = [v for v in listed if reads.project_of(v) == project]
    more = any(link.get("rel") == "next" for link in found["page"].get("volumes_links", []))
    volume_names = {v["id"]: v.get("name") or v["id"] for v in volumes}
    next_marker = listed[-1]["id"] if more and listed else None
    return {"volumes": [rows.row(v, names) for v in volumes],
            "next_marker": next_marker,
            "live_list": rows.list_attrs(first=not marker, last=next_marker is None),
            "snapshots": [rows.snapshot_row(s, volume_names) for s in found["snapshots"]
                          if reads.project_of(s) == project]}


def owned_volume(actor, volume_id: str) -> dict:
    vol = reads.find(actor.conn.block_storage, f"/volumes/{volume_id}", "volume",
                     microversion=MV)
    return reads.owned(vol, actor.project_id, "volume")


def owned_snapshot(actor, snapshot_id: str) -> dict:
    snap = reads.find(actor.conn.block_storage, f"/snapshots/{snapshot_id}", "snapshot",
                      microversion=MV)
    return reads.owned(snap, actor.project_id, "snapshot")


def volume_detail(actor, volume_id: str) -> dict:
    conn, project = actor.conn, actor.project_id
    vol = owned_volume(actor, volume_id)
    found = gather(servers=lambda: _servers(conn, project),
                   snapshots=lambda: reads.collection(conn.block_storage, "/snapshots/detail",
                                                      "snapshots", volume_id=volume_id))
    names = _names(found["servers"])
    row = rows.row(vol, names)
    return {"volume": vol, "v": row,
            "servers": [s for s in found["servers"] if s.get("status") in
                        ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED")],
            "snapshots": [rows.snapshot_row(s, {vol["id"]: row["label"]})
                          for s in found["snapshots"] if reads.project_of(s) == project]}


def create_context(actor) -> dict:
    conn, project = actor.conn, actor.project_id
    found = gather(
        types=lambda: reads.collection(conn.block_storage, "/types", "volume_types"),
        zones=lambda: reads.collection(conn.block_storage, "/os-availability-zone",
                                       "availabilityZoneInfo"),
        quota=lambda: quota(conn, project),
        images=lambda: reads.collection(conn.image, "/images", "images", status="active"),
        snapshots=lambda: _snapshots(conn), volumes=lambda: _volumes(conn))
    return {
        "types": [t["name"] for t in found["types"]],
        "zones": [z["zoneName"] for z in found["zones"] if z["zoneState"]["available"]],
        "quota": found["quota"],
        "images": [i for i in found["images"]
                   if i.get("owner") == project or i.get("visibility") in ("public",
                                                                          "community")],
        "snapshots": [s for s in found["snapshots"]
                      if reads.project_of(s) == project and s["status"] == "available"],
        "volumes": [v for v in found["volumes"]
                    if reads.project_of(v) == project and v["status"] in ("available",
                                                                         "in-use")],
    }


def server_volumes(actor, server: dict) -> dict:
    """The server detail's panel: its attachments (Nova's list, one call) with the
    project's volumes (one list call) for names and what may be attached."""
    conn = actor.conn
    found = gather(
        attached=lambda: reads.collection(conn.compute, f"/servers/{server['id']}/"
                                          "os-volume_attachments", "volumeAttachments"),
        volumes=lambda: _volumes(conn))
    mine = {v["id"]: v for v in found["volumes"] if reads.project_of(v) == actor.project_id}
    attached = [{"volume_id": a["volumeId"], "device": a.get("device") or "",
                 "label": (mine.get(a["volumeId"]) or {}).get("name") or a["volumeId"],
                 "status": (mine.get(a["volumeId"]) or {}).get("status", "")}
                for a in found["attached"]]
    # Nova attaches across zones by default ([cinder] cross_az_attach): any available one
    free = [v for v in mine.values() if v["status"] == "available"]
    return {"attached": attached, "attachable": free}
