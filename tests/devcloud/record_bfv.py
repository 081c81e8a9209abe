"""Record what a real Nova and Cinder answer to the boot-from-volume scenario of
bfv_cases.py (it deletes everything it made): python -m tests.devcloud.record_bfv
[admin-cloud] [demo-cloud]

Clouds come from OS_CLIENT_CONFIG_FILE (e.g. ../shared/realcloud/clouds.yaml, clouds
os-admin and os-demo). Writes tests/devcloud/bfv_real.json.
"""

import json
import sys
from datetime import UTC, datetime

import openstack

from tests.devcloud.bfv_cases import RECORDED, run


def main(admin_cloud: str = "os-admin", demo_cloud: str = "os-demo") -> None:
    admin = openstack.connect(cloud=admin_cloud)
    demo = openstack.connect(cloud=demo_cloud)
    base = admin.endpoint_for("compute")
    version = ".".join(map(str, admin.compute.get_endpoint_data().max_microversion))
    recorded = {"recorded": datetime.now(UTC).strftime("%Y-%m-%d"),
                "from": f"{base} (Nova, max microversion {version}) and its Cinder",
                "answers": run(admin, demo)}
    RECORDED.write_text(json.dumps(recorded, indent=1) + "\n")
    print(f"{len(recorded['answers'])} answers from {base} in {RECORDED}")


if __name__ == "__main__":
    main(*sys.argv[1:])
