"""Cinder v3 for devcloud, served under /volume (catalog type `volumev3`, name `cinderv3`,
endpoint http://HOST:PORT/volume/v3/<project_id>, as the real one's names the project).

    state:     service.py (volumes, snapshots, quotas; the status sequences over the build
               delay; the attachments Nova makes through it)
    handlers:  volumes.py (/volumes and their /action), snapshots.py, misc.py (versions,
               types, availability zones, limits, quota sets, os-services); listing.py
               (filters, sort, paging), views.py (bodies per microversion), api.py
               (microversions, policy, the project in the path); attachments.py
               (attachment records) with attachments_api.py (/attachments, 3.27+)
               and legacy_actions.py (os-reserve … os-detach, as Nova used them)

Checked against the real Cinder 29 of ../shared/realcloud (its fake driver keeps no data).
"""

from aiohttp import web

from ..cloud import Cloud
from ..routes import add_resource, add_root
from . import attachments_api, misc, snapshots, volumes
from .service import Volume

PREFIX = "/volume"


def setup(app: web.Application, cloud: Cloud) -> None:
    cloud.services["volume"] = Volume(cloud)
    r = app.router
    add_root(r, PREFIX, misc.versions)
    base = f"{PREFIX}/v3/{{project_id}}"
    r.add_get(f"{PREFIX}/v3/", misc.v3_root)
    r.add_get(f"{base}/volumes/detail", volumes.list_volumes_detail)
    vol = add_resource(r, f"{base}/volumes", list_=volumes.list_volumes,
                       create=volumes.create_volume, show=volumes.show_volume,
                       update=volumes.update_volume, delete=volumes.delete_volume,
                       key="volume_id")
    r.add_post(f"{vol}/action", volumes.volume_action)
    r.add_get(f"{base}/snapshots/detail", snapshots.list_snapshots_detail)
    add_resource(r, f"{base}/snapshots", list_=snapshots.list_snapshots,
                 create=snapshots.create_snapshot, show=snapshots.show_snapshot,
                 update=snapshots.update_snapshot, delete=snapshots.delete_snapshot,
                 key="snapshot_id")
    r.add_get(f"{base}/types/default", misc.default_type)
    add_resource(r, f"{base}/types", list_=misc.list_types, show=misc.show_type,
                 key="type_id")
    r.add_get(f"{base}/os-availability-zone", misc.availability_zones)
    r.add_get(f"{base}/limits", misc.limits)
    r.add_get(f"{base}/os-services", misc.services)
    quota = add_resource(r, f"{base}/os-quota-sets", show=misc.show_quotas,
                         update=misc.update_quotas, key="target_id")
    r.add_get(f"{quota}/defaults", misc.default_quotas)
    attachments_api.setup(r, base)
