"""The Placement service object: devcloud's compute hosts as Placement's resource providers.

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

from .. import fleet
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
    """One resource provider per compute host (devcloud/fleet.py): uuid the host's
    hypervisor id, name its hostname; the rp dicts carry their "host"."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.store = cloud.store

    # --- the providers' own records --------------------------------------------------
    def _record(self, host: str) -> dict:
        # The control host's record keeps the key it always had.
        key = "placement" if host == hosts.HOST else f"placement:{host}"
        record = self.store.meta.get(key)
        if record is None:
            # nova-compute made the provider and set its inventory: generation 1.
            stamp = _now()
            record = self.store.meta[key] = {
                "generation": 1, "allocations": self._digest(host), "created_at": stamp,
                "updated_at": stamp}
            self.store.touch()
        elif record["allocations"] != self._digest(host):
            record.update(generation=record["generation"] + 1,
                          allocations=self._digest(host), updated_at=_now())
            self.store.touch()
        return record

    def _digest(self, host: str) -> str:
        held = sorted((s["id"], sorted(hosts.allocation(s).items()))
                      for s in hosts.servers_on(self.store, host))
        return hashlib.sha1(json.dumps(held).encode()).hexdigest()

    def provider(self, host: str = hosts.HOST) -> dict:
        record = self._record(host)
        uuid = fleet.hypervisor_id(host)
        return {"uuid": uuid, "name": host, "host": host,
                "generation": record["generation"], "parent_provider_uuid": None,
                "root_provider_uuid": uuid,
                "updated_at": datetime.fromisoformat(record["updated_at"]),
                "created_at": datetime.fromisoformat(record["created_at"])}

    def providers(self) -> list[dict]:
        return [self.provider(host) for host in fleet.compute_hosts(self.cloud)]

    def get(self, provider_uuid: str) -> dict | None:
        for host in fleet.compute_hosts(self.cloud):
            if fleet.hypervisor_id(host) == provider_uuid:
                return self.provider(host)
        return None

    def traits(self, host: str) -> list[str]:
        """nova-compute's traits; a disabled service's provider also has
        COMPUTE_STATUS_DISABLED (what keeps the scheduler away from it)."""
        disabled = fleet.record(self.cloud, host, "nova-compute").get("status") == "disabled"
        return NODE_TRAITS + (["COMPUTE_STATUS_DISABLED"] if disabled else [])

    # --- inventories, allocations, usages -------------------------------------------------
    def inventories(self) -> dict:
        return {rc: dict(inv) for rc, inv in INVENTORIES.items()}

    def allocations(self, host: str | None = hosts.HOST) -> dict[str, dict]:
        """consumer (server) id -> its resources, project and user (None: every host)."""
        placed = fleet.compute_hosts(self.cloud) if host is None else [host]
        return {s["id"]: {"resources": hosts.allocation(s), "project_id": s["project_id"],
                          "user_id": s["user_id"]}
                for h in placed for s in hosts.servers_on(self.store, h)}

    def usages(self, host: str = hosts.HOST) -> dict:
        """What the provider's allocations use, every inventoried class (0 when unused)."""
        used = dict.fromkeys(INVENTORIES, 0)
        for alloc in self.allocations(host).values():
            for rc, amount in alloc["resources"].items():
                used[rc] += amount
        return _order(used)

    def fits(self, rc: str, amount: int, host: str = hosts.HOST) -> bool:
        """Could one more allocation of `amount` land here (Placement's capacity check)."""
        inv = INVENTORIES.get(rc)
        if inv is None:
            return False
        capacity = (inv["total"] - inv["reserved"]) * inv["allocation_ratio"]
        return (inv["min_unit"] <= amount <= inv["max_unit"]
                and amount % inv["step_size"] == 0
                and self.usages(host)[rc] + amount <= capacity)

    def project_usages(self, project_id: str, user_id: str | None = None) -> tuple[dict, int]:
        """(resource class -> amount, consumers) over the project's (and user's) consumers;
        classes nobody uses are left out."""
        used: dict[str, int] = {}
        consumers = 0
        for alloc in self.allocations(None).values():
            if alloc["project_id"] != project_id or (user_id and alloc["user_id"] != user_id):
                continue
            consumers += 1
            for rc, amount in alloc["resources"].items():
                used[rc] = used.get(rc, 0) + amount
        return _order(used), consumers
