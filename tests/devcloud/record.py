"""Record what the real services answer to one of the request/response scenarios that
devcloud's parity tests replay (each deletes everything it made):

    python -m tests.devcloud.record day2|bfv|attachments [admin-cloud] [demo-cloud]

    day2         day2_cases.py, the real Nova's day-2 server actions     → day2_real.json
    bfv          bfv_cases.py, boot from volume (Nova and its Cinder)    → bfv_real.json
    attachments  attachments_cases.py, Cinder's attachments and os-*     → attachments_real.json

Clouds come from OS_CLIENT_CONFIG_FILE (e.g. ../shared/realcloud/clouds.yaml, clouds
os-admin and os-demo). The notifications scenario records a bus, not answers: it has
record_notifications.py.
"""

import importlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import openstack

# scenario → (its cases module, the service whose version the recording names, the label)
SCENARIOS = {
    "day2": ("tests.devcloud.day2_cases", "compute", "Nova"),
    "bfv": ("tests.devcloud.bfv_cases", "compute", "Nova, with its Cinder"),
    "attachments": ("tests.devcloud.attachments_cases", "block-storage", "Cinder"),
}


def main(scenario: str, admin_cloud: str = "os-admin", demo_cloud: str = "os-demo",
         out: Path | None = None) -> None:
    module, service, label = SCENARIOS[scenario]
    cases = importlib.import_module(module)
    admin = openstack.connect(cloud=admin_cloud)
    demo = openstack.connect(cloud=demo_cloud)
    base = admin.endpoint_for(service)
    proxy = getattr(admin, service.replace("-", "_"))
    version = ".".join(map(str, proxy.get_endpoint_data().max_microversion))
    recorded = {"recorded": datetime.now(UTC).strftime("%Y-%m-%d"),
                "from": f"{base} ({label}, max microversion {version})",
                "answers": cases.run(admin, demo)}
    out = out or cases.RECORDED
    out.write_text(json.dumps(recorded, indent=1) + "\n")
    print(f"{len(recorded['answers'])} answers from {base} in {out}")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in SCENARIOS:
        sys.exit(__doc__)
    main(*sys.argv[1:])
