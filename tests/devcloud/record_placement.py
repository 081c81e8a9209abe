"""Record what a real Placement answers to placement_cases.CASES (GET only, and two
methods it refuses): python -m tests.devcloud.record_placement [admin-cloud] [demo-cloud]

Clouds come from OS_CLIENT_CONFIG_FILE (e.g. ../shared/realcloud/clouds.yaml, clouds
os-admin and os-demo). Writes tests/devcloud/placement_real.json.
"""

import json
import sys
from datetime import UTC, datetime

import openstack

from tests.devcloud.placement_cases import CASES, RECORDED, ZERO, ask, case_id


def main(admin_cloud: str = "os-admin", demo_cloud: str = "os-demo") -> None:
    admin = openstack.connect(cloud=admin_cloud)
    demo = openstack.connect(cloud=demo_cloud)
    base = admin.endpoint_for("placement").rstrip("/")
    (rp,) = [p for p in admin.placement.resource_providers()]
    names = {"rp": rp.id, "rp_name": rp.name, "zero": ZERO,
             "project": demo.current_project_id}
    tokens = {"admin": admin.auth_token, "demo": demo.auth_token}
    version = ".".join(map(str, admin.placement.get_endpoint_data().max_microversion))
    recorded = {"recorded": datetime.now(UTC).strftime("%Y-%m-%d"),
                "from": f"{base} (Placement, max microversion {version})",
                "answers": {case_id(c): ask(base, tokens, names, c) for c in CASES}}
    RECORDED.write_text(json.dumps(recorded, indent=1, sort_keys=False) + "\n")
    assert len(recorded["answers"]) == len(CASES), "two cases share a name"
    print(f"{len(CASES)} answers from {base} in {RECORDED}")


if __name__ == "__main__":
    main(*sys.argv[1:])
