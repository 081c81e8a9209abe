"""The Placement service object: devcloud's compute host as Placement's resource provider.

Nothing is stored twice: the inventories are the host's capacity and the allocations are
the servers Nova holds on it (compute/hosts.py), so Placement and Nova's hypervisor views
always agree. Only the provider's generation and times are kept (store.meta["placement"]):
the generation moves on when the allocations changed since the last look, where a real
provider's moves on every allocation write.
"""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from ..compute import hosts

STANDARD = json.loads((Path(__file__).with_name("standard.json")).read_text())
RESOURCE_CLASSES = STANDARD["resource_classes"]  # in Placement's id order
TRAITS = set(STANDARD["traits"])
# What a real 2026.2 nova-compute reports for its node (the real cloud's answer, in order).
NODE_TRAITS = [
    "COMPUTE_STORAGE_VIRTIO_FS", "COMPUTE_VOLUME_MULTI_ATTACH",
    "COMPUTE_NET_ATTACH_INTERFACE_WITH_TAG", "COMPUTE_IMAGE_TYPE_RAW", "OWNER_NOVA",
    "COMPUTE_TRUSTED_CERTS", "COMPUTE_SECURITY_STATELESS_FIRMWARE", "COMPUTE_VOLUME_EXTEND",
    "COMPUTE_ACCELERATORS", "COMPUTE_ADDRESS_SPACE_EMULATED", "COMPUTE_MEM_BACKING_FILE",
    "COMPUTE_VOLUME_ATTACH_WITH_TAG", "COMPUTE_NODE", "COMPUTE_ADDRESS_SPACE_PASSTHROUGH",
    "COMPUTE_DEVICE_TAGGING", "COMPUTE_NET_ATTACH_INTERFACE",
]
# Nova's defaults: initial_cpu_allocation_ratio 4.0, RAM and disk 1.0,
# reserved_host_memory_mb 512.
INVENTORIES = {
    "VCPU": {"total": hosts.CAPACITY["vcpus"], "reserved": 0, "min_unit": 1,
             "max_unit": hosts.CAPACITY["vcpus"], "step_size": 1, "allocation_ratio": 4.0},
    "MEMORY_MB": {"total": hosts.CAPACITY["memory_mb"],
                  "reserved": hosts.RESERVED_MEMORY_MB, "min_unit": 1,
                  "max_unit": hosts.CAPACITY["memory_mb"], "step_size": 1,
                  "allocation_ratio": 1.0},
    "DISK_GB": {"total": hosts.CAPACITY["local_gb"], "reserved": 0, "min_unit": 1,
                "max_unit": hosts.CAPACITY["local_gb"], "step_size": 1,
                "allocation_ratio": 1.0},
}
# Nova claims with microversion 1.28, before consumer types: Placement files them "unknown".
NOVA_CONSUMER_TYPE = "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _order(amounts: dict) -> dict:
    """Resource classes in Placement's id order (how its SQL groups them)."""
    return {rc: amounts[rc] for rc in RESOURCE_CLASSES if rc in amounts}


class Placement:
    def __init__(self, cloud):
        self.cloud = cloud
        self.store = cloud.store

    # --- the provider's own record --------------------------------------------------
    def _record(self) -> dict:
        record = self.store.meta.get("placement")
        if record is None:
            # nova-compute made the provider and set its inventory: generation 1.
            stamp = _now()
            record = self.store.meta["placement"] = {
                "generation": 1, "allocations": self._digest(), "created_at": stamp,
                "updated_at": stamp}
            self.store.touch()
        elif record["allocations"] != self._digest():
            record.update(generation=record["generation"] + 1, allocations=self._digest(),
                          updated_at=_now())
            self.store.touch()
        return record

    def _digest(self) -> str:
        held = sorted((s["id"], sorted(hosts.allocation(s).items()))
                      for s in hosts.servers_on(self.store))
        return hashlib.sha1(json.dumps(held).encode()).hexdigest()

    def provider(self) -> dict:
        record = self._record()
        return {"uuid": hosts.HYPERVISOR_ID, "name": hosts.HOST,
                "generation": record["generation"], "parent_provider_uuid": None,
                "root_provider_uuid": hosts.HYPERVISOR_ID,
                "updated_at": datetime.fromisoformat(record["updated_at"]),
                "created_at": datetime.fromisoformat(record["created_at"])}

    def get(self, provider_uuid: str) -> dict | None:
        return self.provider() if provider_uuid == hosts.HYPERVISOR_ID else None

    # --- inventories, allocations, usages -------------------------------------------------
    def inventories(self) -> dict:
        return {rc: dict(inv) for rc, inv in INVENTORIES.items()}

    def allocations(self) -> dict[str, dict]:
        """consumer (server) id -> its resources, project and user."""
        return {s["id"]: {"resources": hosts.allocation(s), "project_id": s["project_id"],
                          "user_id": s["user_id"]}
                for s in hosts.servers_on(self.store)}

    def usages(self) -> dict:
        """What the provider's allocations use, every inventoried class (0 when unused)."""
        used = dict.fromkeys(INVENTORIES, 0)
        for alloc in self.allocations().values():
            for rc, amount in alloc["resources"].items():
                used[rc] += amount
        return _order(used)

    def fits(self, rc: str, amount: int) -> bool:
        """Could one more allocation of `amount` land here (Placement's capacity check)."""
        inv = INVENTORIES.get(rc)
        if inv is None:
            return False
        capacity = (inv["total"] - inv["reserved"]) * inv["allocation_ratio"]
        return (inv["min_unit"] <= amount <= inv["max_unit"]
                and amount % inv["step_size"] == 0
                and self.usages()[rc] + amount <= capacity)

    def project_usages(self, project_id: str, user_id: str | None = None) -> tuple[dict, int]:
        """(resource class -> amount, consumers) over the project's (and user's) consumers;
        classes nobody uses are left out."""
        used: dict[str, int] = {}
        consumers = 0
        for alloc in self.allocations().values():
            if alloc["project_id"] != project_id or (user_id and alloc["user_id"] != user_id):
                continue
            consumers += 1
            for rc, amount in alloc["resources"].items():
                used[rc] = used.get(rc, 0) + amount
        return _order(used), consumers
