"""The admin's changes to the cloud itself: enable or disable a nova-compute service (one
openstacksdk call with the admin's own token), announced to every admin's open pages."""

from openstack import exceptions as os_exc

from portal.changes import announce

from . import fragments
from .errors import explain


def _announce(actor, action: str, service, detail: str = "") -> None:
    announce(actor, action, f"{service.binary} on {service.host}", detail=detail or service.id,
             event=fragments.service_cells(service), to_admins=True)


def disable_compute(actor, service, reason: str):
    """Nova schedules nothing more to the host; its servers keep running."""
    try:
        actor.conn.compute.disable_service(service.id, disabled_reason=reason)
    except os_exc.HttpException as exc:
        raise explain(exc) from exc
    service.enabled, service.disabled_reason = False, reason
    _announce(actor, "compute_service.disable", service, reason)
    return service


def enable_compute(actor, service):
    try:
        actor.conn.compute.enable_service(service.id)
    except os_exc.HttpException as exc:
        raise explain(exc) from exc
    service.enabled, service.disabled_reason = True, None
    _announce(actor, "compute_service.enable", service)
    return service
