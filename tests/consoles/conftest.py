import pytest

from tests.conftest import run_portal

from . import live


@pytest.fixture(scope="module")
def alice_server(cloud):
    with live.server(cloud, "alice") as srv:
        yield srv


@pytest.fixture(scope="module")
def direct_portal(cloud, tmp_path_factory):
    """A second live portal with PORTAL_CONSOLE_MODE=direct."""
    with run_portal(cloud, tmp_path_factory.mktemp("direct"),
                    PORTAL_CONSOLE_MODE="direct") as portal:
        yield portal
