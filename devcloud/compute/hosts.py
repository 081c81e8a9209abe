"""The compute hosts' capacity and what the servers on a host hold; devcloud runs every
server on one of them, HOST (devcloud/fleet.py has the others).

Nova's hypervisor views (infra.py) and Placement's resource provider (devcloud/placement)
both read these, so the two APIs always agree on the figures, as a real Nova and Placement
do (the resource provider's uuid is the hypervisor's id from 2.53).
"""

from .. import fleet

HOST = fleet.CONTROL  # every server is scheduled here; other compute hosts stay idle
HYPERVISOR_ID = fleet.hypervisor_id(HOST)
CAPACITY = {"vcpus": 1000, "memory_mb": 800000, "local_gb": 600000}
RESERVED_MEMORY_MB = 512  # Nova's reserved_host_memory_mb default


def holds_resources(server: dict) -> bool:
    """Scheduled to the host and not gone: Nova's allocation exists from the scheduler's
    pick to the delete (a build that failed releases it)."""
    return bool(server.get("host")) and not server.get("deleted") \
        and server["vm_state"] != "error"


def allocation(server: dict) -> dict:
    """The resources Nova's scheduler claims for the server's flavor: DISK_GB is root plus
    ephemeral plus swap rounded up to GB, and left out when that is 0."""
    flavor = server["flavor"]
    swap_gb = -(-int(flavor.get("swap") or 0) // 1024)
    disk = flavor["disk"] + int(flavor.get("ephemeral") or 0) + swap_gb
    amounts = {"VCPU": flavor["vcpus"], "MEMORY_MB": flavor["ram"], "DISK_GB": disk}
    return {rc: amount for rc, amount in amounts.items() if amount}


def servers_on(store, host: str = HOST) -> list[dict]:
    return [s for s in store["servers"].values()
            if holds_resources(s) and s["host"] == host]


def usage(store, host: str = HOST) -> dict:
    """The hypervisor's used figures (vcpus_used, memory_mb_used, local_gb_used): Nova's
    resource tracker counts the host's reserved memory as used."""
    used = {"vcpus": 0, "memory_mb": RESERVED_MEMORY_MB, "local_gb": 0, "running_vms": 0}
    for s in servers_on(store, host):
        used["vcpus"] += s["flavor"]["vcpus"]
        used["memory_mb"] += s["flavor"]["ram"]
        used["local_gb"] += s["flavor"]["disk"]
        used["running_vms"] += 1
    return used
