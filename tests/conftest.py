"""Shared fixtures: a devcloud for the whole test session."""

import pytest

from devcloud import testing


@pytest.fixture(scope="session")
def devcloud(tmp_path_factory):
    """A running devcloud (fresh state, BUILD lasts 0.5 s) shared by the session's tests."""
    with testing.running(tmp_path_factory.mktemp("devcloud") / "state",
                         "--build-delay", "0.5") as cloud:
        yield cloud


@pytest.fixture
def clouds_env(devcloud, monkeypatch):
    """OS_CLIENT_CONFIG_FILE pointing at the devcloud's clouds.yaml."""
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(devcloud.clouds_yaml))
    return devcloud
