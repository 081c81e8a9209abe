"""Accounts on the session's devcloud, as the raw-HTTP clients the devcloud tests use.

`nova_*` are tests/devcloud/nova.py's Client (any path; Nova calls with a microversion, so
the Glance tests use it too), `neutron_*` are tests/devcloud/neutron.py's Neutron (paths under
/networking/v2.0, Neutron's error bodies). One token per account and test module.
"""

import pytest

from .neutron import Neutron
from .nova import Client


def account(client_class, user: str):
    @pytest.fixture(scope="module")
    def fixture(devcloud):
        return client_class(devcloud, user)
    fixture.__doc__ = f"{client_class.__name__} as {user}"
    return fixture


nova_demo = account(Client, "demo")
nova_admin = account(Client, "admin")
nova_bob = account(Client, "bob")
neutron_demo = account(Neutron, "demo")
neutron_admin = account(Neutron, "admin")
