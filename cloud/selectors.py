"""What the admin's cloud page shows, and the calls it costs.

    cloud_page(actor)      hosts by Kolla group with their services; 3-4 calls, concurrent:
                           Nova os-services, Neutron agents, Cinder services (when the
                           catalog has Cinder), Placement's providers; plus the external
                           networks when PORTAL_KOLLA_GLOBALS is set
    capacity(actor)        each compute node's VCPU, MEMORY_MB and DISK_GB, used of capacity:
                           Placement has no call for every provider's inventories or usages
                           at once, so this is 2 calls per provider, concurrent, in a fragment
                           the page loads once shown
    services(conn)         the three service lists alone (the slow tick's watch)

The inventory and globals files are read on every page (they are small, and an operator
who fixes one sees the fix at the next reload); a file that cannot be read is a message on
the page naming the file and line, never an error page.
"""

import logging

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from openstack import exceptions as os_exc

from portal import reads
from portal.catalog import has_block_storage
from portal.cloud import gather

from . import inventory, kolla_globals, topology

log = logging.getLogger(__name__)

NOVA_MV = "2.53"        # services and hypervisors by uuid
PLACEMENT_MV = "1.14"   # providers with their parent and root
CAPACITY_CLASSES = (("VCPU", "vCPUs", ""), ("MEMORY_MB", "RAM", "MiB"),
                    ("DISK_GB", "Disk", "GiB"))


def has_cinder(conn) -> bool:
    """Whether the catalog (in the token, no call) has block storage."""
    return has_block_storage(conn)


# --- the services ----------------------------------------------------------------------

def _when(stamp: str | None) -> str | None:
    """Nova's "2026-12-01T13:19:14.000000" and Neutron's "2026-12-01 13:19:14" alike:
    "2026-12-01 13:19:14" (UTC, as both keep them)."""
    return stamp.replace("T", " ").split(".")[0].rstrip("Z") if stamp else None


def _nova_service(r: dict) -> topology.Service:
    return topology.Service(
        key=f"nova-{r['id']}", source="nova", id=str(r["id"]), binary=r["binary"],
        host=r["host"], up=r["state"] == "up", enabled=r["status"] == "enabled",
        heartbeat=_when(r.get("updated_at")), disabled_reason=r.get("disabled_reason"),
        zone=r.get("zone"), forced_down=bool(r.get("forced_down")))


def _nova(conn) -> list[topology.Service]:
    rows = reads.get(conn.compute, "/os-services", microversion=NOVA_MV)["services"]
    return [_nova_service(r) for r in rows]


def _agents(conn) -> list[topology.Service]:
    rows = reads.collection(conn.network, "/agents", "agents")
    return [topology.Service(
        key=f"agent-{r['id']}", source="neutron", id=r["id"], binary=r["binary"],
        host=r["host"], up=bool(r["alive"]), enabled=bool(r["admin_state_up"]),
        heartbeat=_when(r.get("heartbeat_timestamp")), zone=r.get("availability_zone"))
        for r in rows]


def _cinder(conn) -> list[topology.Service]:
    rows = reads.get(conn.block_storage, "/os-services")["services"]
    return [topology.Service(
        key="cinder-" + "".join(c if c.isalnum() else "-" for c in f"{r['binary']}-{r['host']}"),
        source="cinder", id=f"{r['binary']}@{r['host']}", binary=r["binary"], host=r["host"],
        up=r["state"] == "up", enabled=r["status"] == "enabled",
        heartbeat=_when(r.get("updated_at")), disabled_reason=r.get("disabled_reason"),
        zone=r.get("zone")) for r in rows]


def _service_calls(conn) -> dict:
    calls = {"nova": lambda: _nova(conn), "agents": lambda: _agents(conn)}
    if has_cinder(conn):
        calls["cinder"] = lambda: _cinder(conn)
    return calls


def compute_services(conn) -> list[topology.Service]:
    """The nova-compute services (one call): what an admin may enable or disable."""
    rows = reads.get(conn.compute, "/os-services", {"binary": "nova-compute"},
                     microversion=NOVA_MV)["services"]
    return [_nova_service(r) for r in rows]


def services(conn) -> list[topology.Service]:
    """Every service the cloud reports: one call per API (the watch's slow tick)."""
    found = gather(**_service_calls(conn))
    return [s for part in found.values() for s in part]


# --- the files -------------------------------------------------------------------------

def _inventory():
    path = settings.PORTAL_KOLLA_INVENTORY
    if not path:
        return None, None
    try:
        return inventory.read(path), None
    except inventory.InventoryError as exc:
        log.warning("Kolla inventory: %s", exc)
        return None, exc


def _globals():
    path = settings.PORTAL_KOLLA_GLOBALS
    if not path:
        return None, None
    try:
        return kolla_globals.read(path), None
    except kolla_globals.GlobalsError as exc:
        log.warning("Kolla globals: %s", exc)
        return None, exc


# --- Placement -------------------------------------------------------------------------

def _providers(conn) -> list[dict]:
    """The compute nodes: root providers (nested ones are a node's devices)."""
    rows = reads.get(conn.placement, "/resource_providers",
                     microversion=PLACEMENT_MV)["resource_providers"]
    return [{"id": r["uuid"], "name": r["name"]} for r in rows
            if not r.get("parent_provider_uuid")]


def _bars(inventories: dict, usages: dict) -> list[dict]:
    bars = []
    for rc, label, unit in CAPACITY_CLASSES:
        inv = inventories.get(rc)
        if inv is None:
            continue
        capacity = int((inv["total"] - inv["reserved"]) * inv["allocation_ratio"])
        used = usages.get(rc, 0)
        bars.append({"label": label, "unit": unit, "used": used, "capacity": capacity,
                     "total": inv["total"], "ratio": inv["allocation_ratio"],
                     "reserved": inv["reserved"],
                     "pct": min(100, round(100 * used / capacity)) if capacity else 100,
                     "full": used >= capacity})
    return bars


def capacity(actor) -> list[dict]:
    """Each compute node with its capacity bars, by name."""
    conn = actor.conn
    providers = _providers(conn)
    calls = {}
    for p in providers:
        base = f"/resource_providers/{p['id']}"
        calls[f"inv {p['id']}"] = _getter(conn.placement, f"{base}/inventories")
        calls[f"use {p['id']}"] = _getter(conn.placement, f"{base}/usages")
    found = gather(**calls)
    out = []
    for p in providers:
        out.append({**p, "bars": _bars(found[f"inv {p['id']}"]["inventories"],
                                       found[f"use {p['id']}"]["usages"])})
    return sorted(out, key=lambda p: topology._natural_key(p["name"]))


def _getter(proxy, path):
    return lambda: reads.get(proxy, path, microversion=PLACEMENT_MV)


def servers_url() -> str | None:
    """The admin list of every project's servers (vms app), which filters by host."""
    try:
        return reverse("vms:admin_servers")
    except NoReverseMatch:
        return None


# --- the page --------------------------------------------------------------------------

def _pools(conn, physnets) -> list[dict]:
    """The floating IP pools (external networks) on the globals' physnets."""
    nets = reads.collection(conn.network, "/networks", "networks", **{"router:external": True})
    wanted = {p.name for p in physnets}
    return [{"id": n["id"], "name": n["name"], "physnet": n.get("provider:physical_network"),
             "type": n.get("provider:network_type"),
             "vlan": n.get("provider:segmentation_id")}
            for n in nets if n.get("provider:physical_network") in wanted]


SECTION_NAMES = {"nova": "Nova's services", "agents": "Neutron's agents",
                 "cinder": "Cinder's services", "providers": "Placement's compute nodes",
                 "pools": "the floating IP pools"}


def _quietly(name: str, fn, unavailable: dict):
    """One API's part of the page: a refusal (an API without agents, a service that is
    down) is said on the page, and the rest of the page still shows. A 401 and a cloud
    that does not answer go to the middleware, as for every page."""

    def run():
        try:
            return fn()
        except os_exc.HttpException as exc:
            if exc.status_code == 401:
                raise
            log.warning("cloud page: %s failed: %s", name, exc)
            unavailable[name] = (f"{SECTION_NAMES[name]}: not available "
                                 f"({exc.status_code}: {exc.details or exc.message})")
            return []

    return run


def cloud_page(actor) -> dict:
    conn = actor.conn
    inv, inv_error = _inventory()
    glob, glob_error = _globals()
    calls = {**_service_calls(conn), "providers": lambda: _providers(conn)}
    if glob is not None:
        calls["pools"] = lambda: _pools(conn, glob.physnets)
    unavailable: dict[str, str] = {}
    found = gather(**{name: _quietly(name, fn, unavailable) for name, fn in calls.items()})
    listed = [s for key in ("nova", "agents", "cinder") for s in found.get(key, [])]
    layout = topology.lay_out(listed, inv, found["providers"])
    pools = found.get("pools", [])
    physnets = [{"physnet": p, "pools": [x for x in pools if x["physnet"] == p.name]}
                for p in (glob.physnets if glob else ())]
    return {"layout": layout, "servers_url": servers_url(),
            "inventory": inv, "inventory_error": inv_error,
            "inventory_path": settings.PORTAL_KOLLA_INVENTORY,
            "globals": glob, "globals_error": glob_error, "physnets": physnets,
            "has_cinder": "cinder" in found, "unavailable": list(unavailable.values()),
            "down": [s for s in layout.services if not s.up]}
