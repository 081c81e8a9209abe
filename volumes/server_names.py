"""The names of the servers volumes are attached to, for the poller's live rows, without
one call per row:

    0 calls     the servers the vms poller already keeps (vms.models.ServerState: one
                database query for every id)
    1 call      for the ids it has not seen (a server made moments ago, a worker that
                polls volumes only): Nova's id/name list for the whole cloud
                (GET /servers?all_tenants=1, its pages followed), asked once per tick

A server Nova no longer lists keeps its id as the name, as the page rows do.
"""

from portal import reads
from vms.models import ServerState


def known_names(ids: set[str]) -> dict[str, str]:
    """The names the vms poller keeps (no cloud call): what the portal's own change
    events name the servers with."""
    return {sid: name for sid, name in ServerState.objects.filter(server_id__in=ids)
            .values_list("server_id", "name") if name}


def _listed(conn) -> dict[str, str]:
    servers = reads.follow(conn.compute, "/servers", "servers", {"all_tenants": 1})
    return {s["id"]: s.get("name") or s["id"] for s in servers}


def attached_ids(volumes: list[dict]) -> set[str]:
    return {a["server_id"] for v in volumes for a in v.get("attachments") or []
            if a.get("server_id")}


def server_names(conn, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    names = known_names(ids)
    if ids - names.keys():
        listed = _listed(conn)
        names.update({sid: listed[sid] for sid in ids - names.keys() if sid in listed})
    return names
