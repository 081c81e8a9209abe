"""devcloud's hosts and the services running on them, as a small Kolla-Ansible cloud lays
them out: one host ("devcloud") is control, network and compute (nova-conductor,
nova-scheduler, nova-compute; the DHCP, L3, metadata and Open vSwitch agents), and
`Config.compute_hosts - 1` more compute hosts (compute01, compute02, ...) each run
nova-compute and an Open vSwitch agent. Servers are scheduled to "devcloud" only: the other
hosts are idle hypervisors, there for the admin's overview and for benchmarks at scale.

Nova, Neutron and Placement all read this module (it imports none of them), so the three
APIs agree on which hosts exist, as a real cloud's do.

What a service's state is made of, as in Nova and Neutron:
    heartbeat    a live service reports every few seconds; one whose heartbeat stopped
                 (devcloud's admin API: POST /devcloud/services) is "down" once it is older
                 than Nova's service_down_time (60 s) / Neutron's agent_down_time (75 s)
    status       enabled/disabled with a reason (Nova's PUT /os-services/{id}), kept in
                 the state file
    forced_down  Nova's forced_down flag: down at once, whatever the heartbeat
"""

import uuid
from datetime import UTC, datetime, timedelta

CONTROL = "devcloud"
SERVICE_DOWN_TIME = 60   # nova.conf [DEFAULT] service_down_time
AGENT_DOWN_TIME = 75     # neutron.conf [DEFAULT] agent_down_time
REPORT_INTERVAL = 10     # both report every 10 s: a live heartbeat is at most that old

# (binary, availability zone) of the Nova services on the control host, then per compute host
# (the real cloud lists its scheduler before its conductor: the order they registered in)
CONTROL_NOVA = (("nova-scheduler", "internal"), ("nova-conductor", "internal"))
COMPUTE_NOVA = (("nova-compute", "nova"),)
# (agent_type, binary, topic, availability zone)
CONTROL_AGENTS = (
    ("DHCP agent", "neutron-dhcp-agent", "dhcp_agent", "nova"),
    ("L3 agent", "neutron-l3-agent", "l3_agent", "nova"),
    ("Metadata agent", "neutron-metadata-agent", "N/A", None),
    ("Open vSwitch agent", "neutron-openvswitch-agent", "N/A", None),
)
COMPUTE_AGENTS = (("Open vSwitch agent", "neutron-openvswitch-agent", "N/A", None),)


def now() -> datetime:
    return datetime.now(UTC)


def compute_hosts(cloud) -> list[str]:
    count = max(1, int(getattr(cloud.config, "compute_hosts", 1) or 1))
    width = max(2, len(str(count - 1)))
    return [CONTROL] + [f"compute{i:0{width}d}" for i in range(1, count)]


def hypervisor_id(host: str) -> str:
    """The compute node's uuid (Nova's hypervisor id from 2.53, Placement's provider uuid);
    the control host keeps the id it has always had."""
    name = "devcloud/hypervisor" if host == CONTROL else f"devcloud/hypervisor/{host}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def service_uuid(host: str, binary: str) -> str:
    name = f"devcloud/{binary}" if host == CONTROL else f"devcloud/{host}/{binary}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def agent_id(host: str, binary: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{host}/{binary}"))


def _records(cloud) -> dict:
    """host/binary -> what was changed about that service (status, reason, forced_down,
    when its heartbeat stopped); services nobody touched have no record."""
    return cloud.store.meta.setdefault("services", {})


def record(cloud, host: str, binary: str) -> dict:
    return _records(cloud).get(f"{host}/{binary}", {})


def change(cloud, host: str, binary: str, **values) -> dict:
    rec = _records(cloud).setdefault(f"{host}/{binary}", {})
    rec.update(values)
    cloud.store.touch()
    return rec


def forget_changes(cloud) -> None:
    """Every service back to enabled, up and beating (the admin API's DELETE)."""
    _records(cloud).clear()
    cloud.store.touch()


def _heartbeat(rec: dict, at: datetime) -> datetime:
    stopped = rec.get("stopped_at")
    return datetime.fromisoformat(stopped) if stopped else at


def stop_heartbeat(cloud, host: str, binary: str, ago: float) -> None:
    # Nova's and Neutron's tables keep whole seconds
    stopped = (now() - timedelta(seconds=ago)).replace(microsecond=0)
    change(cloud, host, binary, stopped_at=stopped.isoformat())


def start_heartbeat(cloud, host: str, binary: str) -> None:
    change(cloud, host, binary, stopped_at=None)


def nova_services(cloud) -> list[dict]:
    """Every Nova service, in Nova's id order, with its state worked out as Nova does."""
    at = now().replace(microsecond=0)
    placed = [(CONTROL, binary, zone) for binary, zone in CONTROL_NOVA]
    placed += [(host, binary, zone) for host in compute_hosts(cloud)
               for binary, zone in COMPUTE_NOVA]
    out = []
    for number, (host, binary, zone) in enumerate(placed, start=1):
        rec = record(cloud, host, binary)
        beat = _heartbeat(rec, at)
        forced = bool(rec.get("forced_down"))
        down = forced or (at - beat).total_seconds() > SERVICE_DOWN_TIME
        changed = datetime.fromisoformat(rec["changed_at"]) if rec.get("changed_at") else None
        out.append({"number": number, "uuid": service_uuid(host, binary), "binary": binary,
                    "host": host, "zone": zone,
                    "status": rec.get("status", "enabled"),
                    "disabled_reason": rec.get("disabled_reason"),
                    "forced_down": forced, "state": "down" if down else "up",
                    # the last write to the row: a heartbeat, or the admin's change after it
                    "updated_at": max(beat, changed) if changed else beat})
    return out


def nova_service(cloud, key: str) -> dict | None:
    """A Nova service by its uuid (2.53+) or its integer id."""
    for svc in nova_services(cloud):
        if key in (svc["uuid"], str(svc["number"])):
            return svc
    return None


def agents(cloud) -> list[dict]:
    """Every Neutron agent with its heartbeat and whether Neutron counts it alive."""
    at = now().replace(microsecond=0)
    placed = [(CONTROL, a) for a in CONTROL_AGENTS]
    placed += [(host, a) for host in compute_hosts(cloud)[1:] for a in COMPUTE_AGENTS]
    out = []
    for host, (agent_type, binary, topic, zone) in placed:
        rec = record(cloud, host, binary)
        beat = _heartbeat(rec, at)
        out.append({"id": agent_id(host, binary), "agent_type": agent_type, "binary": binary,
                    "topic": topic, "host": host, "availability_zone": zone,
                    "admin_state_up": rec.get("admin_state_up", True), "heartbeat": beat,
                    "alive": (at - beat).total_seconds() <= AGENT_DOWN_TIME})
    return out
