"""Neutron v2.0 for devcloud, served under /networking (catalog endpoint), API at
/networking/v2.0.

    networks.py subnets.py ports.py routers.py floatingips.py secgroups.py  resources
    misc.py       versions, extensions, agents, network-ip-availabilities, quotas
    listing.py    filters / fields / sorting / paging shared by every list
    core.py       state and indexes; nova.py: the calls devcloud's Nova makes
"""

from aiohttp import web

from ..cloud import Cloud
from . import floatingips, misc, networks, ports, routers, secgroups, subnets
from .core import State
from .nova import NovaInterface
from .seed import seed as seed_state

ROOT = "/networking"
PREFIX = f"{ROOT}/v2.0"


class Neutron(NovaInterface):
    def __init__(self, cloud: Cloud):
        self.cloud = cloud
        self.state = State(cloud.store)
        self.state.cloud = cloud

    def seed(self) -> None:
        seed_state(self.state, self.cloud.services["identity"])


def setup(app: web.Application, cloud: Cloud) -> None:
    service = Neutron(cloud)
    cloud.services["network"] = service
    app["neutron"] = service.state
    r = app.router
    misc.routes(r, ROOT, PREFIX)
    for module in (networks, subnets, ports, routers, floatingips, secgroups):
        module.routes(r, PREFIX)
