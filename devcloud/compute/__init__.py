"""Nova v2.1 for devcloud, served under /compute (catalog: http://HOST:PORT/compute/v2.1).

Modules: api (microversions, links, policy), service (state and server lifecycle), views
(server fields per microversion), listing (filters, paging), create (POST /servers),
servers, actions (power, console output, remote consoles), flavors (+ flavor_schema,
flavor_listing, flavor_access), keypairs, quotas,
infra (versions, limits, quota sets, services, hypervisors, zones), bootlog, netlink.
"""

from aiohttp import web

from ..cloud import Cloud
from . import (
    actions,
    flavor_access,
    flavors,
    infra,
    interfaces,
    keypairs,
    security,
    servers,
    volume_attachments,
)
from .service import Compute

PREFIX = "/compute/v2.1"


def setup(app: web.Application, cloud: Cloud) -> None:
    compute = Compute(cloud)
    cloud.services["compute"] = compute
    r = app.router
    for module in (infra, servers, actions, interfaces, security, flavors, flavor_access,
                   keypairs, volume_attachments):
        module.routes(r, PREFIX)
