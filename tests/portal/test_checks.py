"""The settings checked at start (portal/checks.py): a wrong clouds.yaml, cloud, Keystone
or console mode stops the web, worker and beat with what to change."""

import subprocess
import sys

import pytest
import yaml

from devcloud import testing
from portal import checks
from tests.conftest import ROOT, portal_env


def ids(found) -> list[str]:
    return [message.id for message in found]


@pytest.fixture
def ok(settings, cloud):
    settings.OS_CLIENT_CONFIG_FILE = str(cloud.clouds_yaml)
    settings.OS_CLOUD = cloud.service_cloud
    settings.KEYSTONE_URL = cloud.auth_url
    settings.PORTAL_CONSOLE_MODE = "proxy"
    return settings


def test_the_cloud_under_test_passes(ok):
    assert checks.cloud_settings() == []


def test_keystone_url_may_differ_in_spelling_only(ok, cloud):
    ok.KEYSTONE_URL = cloud.auth_url.rstrip("/").removesuffix("/v3") + "/"
    assert checks.cloud_settings() == []
    ok.KEYSTONE_URL = cloud.auth_url.replace("127.0.0.1", "192.0.2.1")
    [found] = checks.cloud_settings()
    assert found.id == "stackport.E003" and cloud.auth_url in found.msg


def test_a_clouds_yaml_that_cannot_be_read(ok, tmp_path):
    ok.OS_CLIENT_CONFIG_FILE = str(tmp_path / "missing.yaml")
    [found] = checks.cloud_settings()
    assert found.id == "stackport.E001" and "missing.yaml" in found.msg
    assert "kolla-ansible post-deploy" in found.hint


def test_a_cloud_the_clouds_yaml_does_not_have(ok, cloud):
    ok.OS_CLOUD = "no-such-cloud"
    [found] = checks.cloud_settings()
    names = sorted(yaml.safe_load(cloud.clouds_yaml.read_text())["clouds"])
    assert found.id == "stackport.E002"
    assert "'no-such-cloud'" in found.msg and ", ".join(names) in found.msg


def test_a_console_mode_there_is_not(ok):
    ok.PORTAL_CONSOLE_MODE = "vnc"
    assert ids(checks.cloud_settings()) == ["stackport.E004"]


def start(argv, env) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("process", ["web", "worker", "beat"])
def test_each_process_refuses_to_start_on_wrong_settings(cloud, tmp_path, process):
    env = dict(portal_env(cloud, tmp_path / "portal.sqlite3"), OS_CLOUD="no-such-cloud",
               PORTAL_CONSOLE_MODE="vnc")
    argv = {
        "web": [sys.executable, "-m", "portal.serve", "--port", str(testing.free_port())],
        "worker": [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo",
                   "-n", f"checks-{tmp_path.name}@%h"],
        "beat": [sys.executable, "-m", "celery", "-A", "portal", "beat",
                 "--schedule", str(tmp_path / "beat-schedule")],
    }[process]
    done = start(argv, env)
    assert done.returncode != 0
    assert f"Stackport {process} cannot start: the settings are wrong." in done.stderr
    assert "stackport.E002" in done.stderr and "stackport.E004" in done.stderr
    assert "Uvicorn running" not in done.stderr and "ready." not in done.stderr
