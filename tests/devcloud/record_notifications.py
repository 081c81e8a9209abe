"""Record what the real Nova and Cinder send to the bus in notification_cases.py's scenario
(it deletes everything it made): python -m tests.devcloud.record_notifications [bus]
[admin-cloud] [demo-cloud]; `... record_notifications keypairs [bus] [demo-cloud]` plays
the key pair scenario alone into keypair_notifications_real.json.

The bus defaults to ../shared/realcloud's RabbitMQ (rabbit://guest:guest@127.0.0.1:5672/),
clouds come from OS_CLIENT_CONFIG_FILE (e.g. ../shared/realcloud/clouds.yaml, clouds
os-admin and os-demo). Writes tests/devcloud/notifications_real.json: the order of the
scenario's notifications and, trimmed to one per event type, each one whole.
"""

import json
import sys
from datetime import UTC, datetime

import openstack

from tests.devcloud.notification_cases import (
    KEYPAIRS_RECORDED,
    RECORDED,
    KeypairScenario,
    Scenario,
    trimmed,
)

BUS = "rabbit://guest:guest@127.0.0.1:5672/"


def main(bus: str = BUS, admin_cloud: str = "os-admin", demo_cloud: str = "os-demo") -> None:
    admin = openstack.connect(cloud=admin_cloud)
    demo = openstack.connect(cloud=demo_cloud)
    write(RECORDED, Scenario(admin, demo, bus).run(), admin, bus)


def keypairs(bus: str = BUS, demo_cloud: str = "os-demo") -> None:
    demo = openstack.connect(cloud=demo_cloud)
    write(KEYPAIRS_RECORDED, KeypairScenario(demo, bus).run(), demo, bus)


def write(path, got: list[dict], conn, bus: str) -> None:
    recorded = {"recorded": datetime.now(UTC).strftime("%Y-%m-%d"),
                "from": f"{conn.endpoint_for('compute')} and its bus {bus.split('@')[-1]}",
                **trimmed(got)}
    path.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    print(f"{len(got)} notifications, {len(recorded['messages'])} event types in {path}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["keypairs"]:
        keypairs(*sys.argv[2:])
    else:
        main(*sys.argv[1:])
