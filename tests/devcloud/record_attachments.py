"""Record what a real Cinder answers to attachments_cases.py's scenario (it makes two
volumes and deletes them): python -m tests.devcloud.record_attachments [admin] [demo]

Clouds come from OS_CLIENT_CONFIG_FILE (e.g. ../shared/realcloud/clouds.yaml, clouds
os-admin and os-demo). Writes tests/devcloud/attachments_real.json.
"""

import json
import sys
from datetime import UTC, datetime

import openstack

from tests.devcloud.attachments_cases import RECORDED, run


def main(admin_cloud: str = "os-admin", demo_cloud: str = "os-demo") -> None:
    admin = openstack.connect(cloud=admin_cloud)
    demo = openstack.connect(cloud=demo_cloud)
    base = admin.endpoint_for("block-storage")
    version = ".".join(map(str, admin.block_storage.get_endpoint_data().max_microversion))
    recorded = {"recorded": datetime.now(UTC).strftime("%Y-%m-%d"),
                "from": f"{base} (Cinder, max microversion {version})",
                "answers": run(admin, demo)}
    RECORDED.write_text(json.dumps(recorded, indent=1) + "\n")
    print(f"{len(recorded['answers'])} answers from {base} in {RECORDED}")


if __name__ == "__main__":
    main(*sys.argv[1:])
