"""The shared context every service reaches: configuration, state, the service objects.

Kept apart from app.py (which wires the services into one aiohttp app) so that services
can import it without importing the app that imports them.
"""

from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from .store import Store

SERVICES = (
    # (service name, path prefix, catalog type, catalog name)
    ("identity", "/v3", "identity", "keystone"),
    ("compute", "/compute", "compute", "nova"),
    ("network", "/networking", "network", "neutron"),
    ("image", "/image", "image", "glance"),
    ("placement", "/placement", "placement", "placement"),
    ("volume", "/volume", "volumev3", "cinderv3"),
)
# What a cloud may leave out of its catalog (a cloud without Cinder is a common one):
# `--no-volume`, or DEVCLOUD_SERVICES naming the services served.
OPTIONAL = ("volume",)


@dataclass
class Config:
    host: str = "127.0.0.1"
    public_host: str | None = None  # the host name clients reach us by (catalog, console URLs)
    port: int = 5000
    console_port: int = 6080
    spice_port: int = 6082
    state_dir: Path | None = None
    build_delay: float = 2.0
    qemu: bool = False
    guests: str = "none"
    compute_hosts: int = 1  # devcloud/fleet.py: "devcloud" plus compute01 ... idle hosts
    notifications: str = ""  # a bus to send Neutron's, Nova's and Cinder's notifications to
    left_out: tuple = ()  # OPTIONAL services not served: not in the catalog, their paths 404

    def serves(self, service: str) -> bool:
        return service not in self.left_out


@dataclass
class Cloud:
    """Everything a handler needs: config, state, and the service modules' own objects."""

    config: Config
    store: Store
    counts: Counter = field(default_factory=Counter)
    calls: deque = field(default_factory=lambda: deque(maxlen=20000))
    faults: list = field(default_factory=list)
    services: dict = field(default_factory=dict)  # name -> service object (compute, network...)
    notifier: object | None = None  # notifications.Notifier with --notifications, else None

    @property
    def base_url(self) -> str:
        return f"http://{self.config.public_host or self.config.host}:{self.config.port}"

    def endpoint(self, service: str, project_id: str = "") -> str:
        return {
            "identity": f"{self.base_url}/v3",
            "compute": f"{self.base_url}/compute/v2.1",
            "network": f"{self.base_url}/networking",
            "image": f"{self.base_url}/image",
            "placement": f"{self.base_url}/placement",
            # Cinder's endpoint names the project, as Keystone fills in %(project_id)s
            "volume": f"{self.base_url}/volume/v3/{project_id}",
        }[service]


CLOUD_KEY = web.AppKey("cloud", Cloud)


def cloud_of(request: web.Request) -> Cloud:
    return request.app[CLOUD_KEY]
