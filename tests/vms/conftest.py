"""Fixtures for the vms tests: a tenant network per project, the cirros image, Celery
tasks run in-process (eager) for the in-process portal, and a name prefix swept after."""

import pytest

from portal.celery import app as celery_app
from vms import pollstate

from .helpers import delete_servers, login, unique


@pytest.fixture(scope="module")
def admin_conn(cloud):
    return cloud.connect("admin")


@pytest.fixture(scope="module")
def image_id(admin_conn):
    return admin_conn.image.find_image("cirros").id


def _tenant_network(conn, name: str, cidr: str):
    net = conn.network.create_network(name=name)
    subnet = conn.network.create_subnet(network_id=net.id, name=f"{name}-subnet", cidr=cidr,
                                        ip_version=4)
    return net, subnet


@pytest.fixture(scope="module")
def networks(cloud):
    """alice's and bob's own network + subnet (made here, deleted after the module)."""
    made = {}
    for who, cidr in (("alice", "10.61.0.0/24"), ("bob", "10.62.0.0/24")):
        conn = cloud.connect(who)
        net, subnet = _tenant_network(conn, unique(f"vmnet-{who}"), cidr)
        made[who] = (conn, net, subnet)
    yield {who: {"network": net, "subnet": subnet} for who, (_, net, subnet) in made.items()}
    for conn, net, _subnet in made.values():
        for p in conn.network.ports(network_id=net.id):
            if p.device_owner.startswith("compute:") or not p.device_owner:
                conn.network.delete_port(p)
        conn.network.delete_network(net)


@pytest.fixture
def eager_tasks():
    """Follow-up tasks run in the test's own process (and database), not in a worker."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def fresh_poller(portal_settings):
    pollstate.reset()
    yield
    pollstate.reset()


@pytest.fixture
def prefix(admin_conn):
    name = unique("vt")
    yield name
    delete_servers(admin_conn, name)


@pytest.fixture
def as_(portal_settings, cloud):
    """as_("alice") → a Django test client logged in as alice."""
    return lambda who: login(cloud, who)
