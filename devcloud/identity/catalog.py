"""The service catalog a scoped token carries: one entry per service devcloud serves,
with public, internal and admin endpoints on the same URL (as a single-node Kolla has);
a service left out (`--no-volume`) has no entry."""

import uuid

from ..cloud import SERVICES


def catalog(cloud, project_id: str = "") -> list[dict]:
    entries = []
    for name, _prefix, stype, sname in SERVICES:
        if not cloud.config.serves(name):
            continue
        url = cloud.endpoint(name, project_id)
        sid = uuid.uuid5(uuid.NAMESPACE_URL, stype).hex
        entries.append({
            "endpoints": [
                {"id": uuid.uuid5(uuid.NAMESPACE_URL, f"{stype}/{iface}").hex,
                 "interface": iface, "region_id": "RegionOne", "url": url,
                 "region": "RegionOne"}
                for iface in ("public", "internal", "admin")
            ],
            "id": sid, "type": stype, "name": sname,
        })
    return entries
