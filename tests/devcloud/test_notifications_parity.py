"""devcloud --notifications URL sends Nova's versioned and Cinder's notifications as the
real ones do: notification_cases.py's scenario (boot, stop, start, reboot, resize and
confirm, a volume attached, detached and snapshotted, delete) played on a devcloud of its
own, on a RabbitMQ virtual host of its own, compared with what the real Nova 2026.2 and
Cinder sent in the same scenario (notifications_real.json): the order of the events per
object, and per event type its exchange, routing key, envelope, message keys and the
payload's keys and JSON types field by field, and the states it reports."""

import json

import openstack
import pytest
from openstack.config import loader

from devcloud import testing
from tests import bus
from tests.devcloud.notification_cases import RECORDED, Scenario, trimmed

# the scheduler's select_destinations are about a request, not a server: devcloud has no
# scheduler to send them (the portal reads none of them)
MODELLED = ("instance", "volume", "snapshot")
STATES = ("state", "task_state", "power_state", "status")


def shape(value):
    """Keys and JSON types, recursively (a list by its first element)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def differences(ours, theirs, path="payload") -> list[str]:
    """Where two shapes differ, as paths (a readable failure)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        out = [f"{path}.{k}: missing" for k in theirs if k not in ours]
        out += [f"{path}.{k}: extra" for k in ours if k not in theirs]
        for k in ours.keys() & theirs.keys():
            out += differences(ours[k], theirs[k], f"{path}.{k}")
        return out
    if isinstance(ours, list) and isinstance(theirs, list) and ours and theirs:
        return differences(ours[0], theirs[0], f"{path}[0]")
    return [] if ours == theirs else [f"{path}: {ours} is not {theirs}"]


def data(payload: dict) -> dict:
    return payload.get("nova_object.data", payload)


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    if not bus.can_make_vhosts():
        pytest.skip("needs the machine's RabbitMQ and rabbitmqctl (a virtual host of its own)")
    with bus.vhost() as url, testing.running(
            tmp_path_factory.mktemp("devcloud-bus") / "state", "--build-delay", "0.5",
            "--notifications", url) as running:
        config = loader.OpenStackConfig(config_files=[str(running.clouds_yaml)])
        admin, demo = (openstack.connection.Connection(
            config=config.get_one(cloud=f"devcloud-{user}")) for user in ("admin", "demo"))
        return trimmed(Scenario(admin, demo, url).run())


@pytest.fixture(scope="module")
def real():
    return json.loads(RECORDED.read_text())


def test_the_same_events_in_the_same_order(played, real):
    for kind in MODELLED:
        assert played["sequence"].get(kind) == real["sequence"][kind], kind


@pytest.mark.parametrize("event", sorted(
    e for e in json.loads(RECORDED.read_text())["messages"] if e.startswith(MODELLED)))
def test_each_event_in_the_real_ones_shape(played, real, event):
    ours, theirs = played["messages"][event], real["messages"][event]
    for field in ("exchange", "routing_key", "envelope"):
        assert ours[field] == theirs[field], field
    mine, recorded = ours["message"], theirs["message"]
    assert sorted(mine) == sorted(recorded)
    assert mine["priority"] == recorded["priority"]
    service = recorded["publisher_id"].replace(":", ".").split(".")[0]
    assert mine["publisher_id"].startswith(service)
    assert differences(shape(mine["payload"]), shape(recorded["payload"])) == []
    assert {k: data(mine["payload"]).get(k) for k in STATES} == \
        {k: data(recorded["payload"]).get(k) for k in STATES}


@pytest.fixture(scope="module")
def keypairs_played(tmp_path_factory):
    if not bus.can_make_vhosts():
        pytest.skip("needs the machine's RabbitMQ and rabbitmqctl (a virtual host of its own)")
    from tests.devcloud.notification_cases import KeypairScenario

    with bus.vhost() as url, testing.running(
            tmp_path_factory.mktemp("devcloud-kp-bus") / "state", "--notifications",
            url) as running:
        config = loader.OpenStackConfig(config_files=[str(running.clouds_yaml)])
        demo = openstack.connection.Connection(config=config.get_one(cloud="devcloud-demo"))
        return trimmed(KeypairScenario(demo, url).run())


def test_key_pair_notifications_as_nova_api_sends_them(keypairs_played):
    """keypair.create/import/delete .start/.end (KeypairPayload 1.0), compared with what
    the real Nova sent in the same scenario (keypair_notifications_real.json)."""
    from tests.devcloud.notification_cases import KEYPAIRS_RECORDED

    real = json.loads(KEYPAIRS_RECORDED.read_text())
    assert keypairs_played["sequence"] == real["sequence"]
    for event, theirs in real["messages"].items():
        ours = keypairs_played["messages"][event]
        for field in ("exchange", "routing_key", "envelope"):
            assert ours[field] == theirs[field], (event, field)
        mine, recorded = ours["message"], theirs["message"]
        assert sorted(mine) == sorted(recorded), event
        assert mine["publisher_id"].split(":")[0] == recorded["publisher_id"].split(":")[0]
        # the fields a start leaves empty (None) are the same ones
        assert {k: v is None for k, v in data(mine["payload"]).items()} == \
            {k: v is None for k, v in data(recorded["payload"]).items()}, event
        assert differences(shape(mine["payload"]), shape(recorded["payload"])) == [], event
