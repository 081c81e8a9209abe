"""The Neutron service object: state in the store, in-memory indexes, visibility, quotas.

Resources live in the store as the dicts Neutron renders (admin view); the indexes below are
rebuilt from them at start and kept current by put()/remove(), so lists, quota counts and
Nova's address lookups never scan every port.
"""

import ipaddress
from collections import defaultdict

from .util import CloudError, not_found, policy

COLLECTIONS = ("networks", "subnets", "ports", "routers", "floatingips",
               "security_groups", "security_group_rules")
QUOTA_DEFAULTS = {"network": 100, "subnet": 100, "subnetpool": -1, "port": 500,
                  "router_route": 30, "router": 10, "floatingip": 50, "rbac_policy": 10,
                  "security_group": 10, "security_group_rule": 100}
QUOTA_COLLECTION = {"network": "networks", "subnet": "subnets", "port": "ports",
                    "router": "routers", "floatingip": "floatingips",
                    "security_group": "security_groups",
                    "security_group_rule": "security_group_rules"}
# Kept apart from Nova's quota sets, which may live in store["quotas"].
QUOTA_STORE = "network_quotas"
HOST = "devcloud"  # the one host running every agent and hypervisor


class State:
    def __init__(self, store):
        self.store = store
        self.owned: dict[str, dict[str, set]] = {c: defaultdict(set) for c in COLLECTIONS}
        self.ports_by_device: dict[str, set] = defaultdict(set)
        self.ports_by_network: dict[str, set] = defaultdict(set)
        self.ip_used: dict[str, dict[int, str]] = defaultdict(dict)  # subnet -> ip -> port
        self.ip_hint: dict[str, int] = {}
        self.macs: set[str] = set()
        self.fips_by_port: dict[str, set] = defaultdict(set)
        self.rules_by_group: dict[str, dict] = defaultdict(dict)  # ordered set of rule ids
        self.public_networks: set[str] = set()  # shared or router:external
        self.rebuild()

    def __getitem__(self, collection: str) -> dict:
        return self.store[collection]

    # --- index upkeep ---------------------------------------------------------
    def rebuild(self) -> None:
        for coll in COLLECTIONS:
            for obj in self.store[coll].values():
                self._index(coll, obj)

    def put(self, coll: str, obj: dict) -> dict:
        """Insert or re-insert an object (call unindex() before changing indexed fields)."""
        self.store[coll][obj["id"]] = obj
        self._index(coll, obj)
        self.store.touch()
        return obj

    def remove(self, coll: str, obj_id: str) -> dict | None:
        obj = self.store[coll].pop(obj_id, None)
        if obj is not None:
            self.unindex(coll, obj)
            self.store.touch()
        return obj

    def _index(self, coll: str, obj: dict) -> None:
        self.owned[coll][obj.get("project_id", "")].add(obj["id"])
        if coll == "ports":
            self.ports_by_device[obj["device_id"]].add(obj["id"])
            self.ports_by_network[obj["network_id"]].add(obj["id"])
            self.macs.add(obj["mac_address"])
            for ip in obj["fixed_ips"]:
                self.ip_used[ip["subnet_id"]][_int(ip["ip_address"])] = obj["id"]
        elif coll == "floatingips" and obj.get("port_id"):
            self.fips_by_port[obj["port_id"]].add(obj["id"])
        elif coll == "security_group_rules":
            self.rules_by_group[obj["security_group_id"]][obj["id"]] = None
        elif coll == "networks" and (obj["shared"] or obj["router:external"]):
            self.public_networks.add(obj["id"])

    def unindex(self, coll: str, obj: dict) -> None:
        self.owned[coll][obj.get("project_id", "")].discard(obj["id"])
        if coll == "ports":
            _discard(self.ports_by_device, obj["device_id"], obj["id"])
            _discard(self.ports_by_network, obj["network_id"], obj["id"])
            self.macs.discard(obj["mac_address"])
            for ip in obj["fixed_ips"]:
                self.release_ip(ip["subnet_id"], ip["ip_address"])
        elif coll == "floatingips" and obj.get("port_id"):
            _discard(self.fips_by_port, obj["port_id"], obj["id"])
        elif coll == "security_group_rules":
            self.rules_by_group[obj["security_group_id"]].pop(obj["id"], None)
        elif coll == "networks":
            self.public_networks.discard(obj["id"])

    def release_ip(self, subnet_id: str, address: str) -> None:
        value = _int(address)
        self.ip_used[subnet_id].pop(value, None)
        if subnet_id in self.ip_hint:
            self.ip_hint[subnet_id] = min(self.ip_hint[subnet_id], value)

    # --- lookups --------------------------------------------------------------
    def ports_of(self, device_id: str) -> list[dict]:
        ports = self.store["ports"]
        return [ports[p] for p in self.ports_by_device.get(device_id, ()) if p in ports]

    def ports_on(self, network_id: str) -> list[dict]:
        ports = self.store["ports"]
        return [ports[p] for p in self.ports_by_network.get(network_id, ()) if p in ports]

    def ports_in_subnet(self, subnet_id: str) -> list[dict]:
        ports = self.store["ports"]
        ids = dict.fromkeys(self.ip_used.get(subnet_id, {}).values())
        return [ports[p] for p in ids if p in ports]

    def fips_of(self, port_id: str) -> list[dict]:
        fips = self.store["floatingips"]
        return [fips[f] for f in self.fips_by_port.get(port_id, ()) if f in fips]

    # --- visibility (what a project may see) ----------------------------------
    def can_see(self, ctx, coll: str, obj: dict) -> bool:
        if ctx is None or ctx.is_admin or obj.get("project_id") == ctx.project_id:
            return True
        if coll == "networks":
            return obj["shared"] or obj["router:external"]
        if coll == "subnets":
            # Subnets of shared and external networks are visible too (a real Neutron shows
            # a tenant the floating IP pool's subnets).
            return obj["network_id"] in self.public_networks
        if coll == "ports":
            network = self.store["networks"].get(obj["network_id"])
            return bool(network and network["project_id"] == ctx.project_id)
        return False

    def visible_ids(self, ctx, coll: str):
        """Candidate ids for a list: everything for admin, else owned plus public."""
        if ctx is None or ctx.is_admin:
            return list(self.store[coll])
        ids = list(self.owned[coll].get(ctx.project_id, ()))
        if coll == "networks":
            ids += [n for n in self.public_networks if n not in self.owned[coll][ctx.project_id]]
        elif coll == "subnets":
            mine = self.owned[coll][ctx.project_id]
            for net_id in self.public_networks:
                net = self.store["networks"].get(net_id)
                if net:
                    ids += [s for s in net["subnets"] if s not in mine]
        elif coll == "ports":
            mine = self.owned[coll][ctx.project_id]
            for net_id in self.owned["networks"].get(ctx.project_id, ()):
                ids += [p for p in self.ports_by_network.get(net_id, ()) if p not in mine]
        return ids

    def get(self, ctx, coll: str, obj_id: str) -> dict:
        """The object if the caller may see it, else Neutron's 404 for that resource."""
        obj = self.store[coll].get(obj_id)
        if obj is None or not self.can_see(ctx, coll, obj):
            raise not_found(coll, obj_id)
        return obj

    def get_own(self, ctx, coll: str, obj_id: str, action: str) -> dict:
        """For changes: 404 when invisible, 403 when visible but not the caller's."""
        obj = self.get(ctx, coll, obj_id)
        if ctx is not None and not ctx.is_admin and (
                obj.get("project_id") != ctx.project_id or not ctx.can_write):
            raise policy(action)
        return obj

    # --- quotas ---------------------------------------------------------------
    def quota_limits(self, project_id: str) -> dict:
        return {**QUOTA_DEFAULTS, **self.store[QUOTA_STORE].get(project_id, {})}

    def quota_used(self, project_id: str, resource: str) -> int:
        coll = QUOTA_COLLECTION.get(resource)
        if coll:
            return len(self.owned[coll].get(project_id, ()))
        if resource == "router_route":
            return sum(len(self.store["routers"][r]["routes"])
                       for r in self.owned["routers"].get(project_id, ()))
        return 0

    def check_quota(self, project_id: str, resource: str, count: int = 1) -> None:
        if not project_id:
            return
        limit = self.quota_limits(project_id)[resource]
        if limit >= 0 and self.quota_used(project_id, resource) + count > limit:
            raise CloudError(409, f"Quota exceeded for resources: ['{resource}'].", "OverQuota")


def _int(address: str) -> int:
    return int(ipaddress.ip_address(address))


def _discard(index: dict, key: str, value: str) -> None:
    members = index.get(key)
    if members is not None:
        members.discard(value)
        if not members:
            del index[key]
