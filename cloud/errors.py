"""Nova's refusals of a service change, in words an admin can act on."""

from openstack import exceptions as os_exc

from portal.errors import CloudRefused, cloud_said


def explain(exc: os_exc.HttpException) -> CloudRefused:
    if exc.status_code == 404:
        return CloudRefused("Nova no longer has that service (it was deleted meanwhile).", exc)
    return CloudRefused(f"Nova refused the change: {cloud_said(exc)}", exc)
