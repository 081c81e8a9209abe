"""Networks, with ML2's provider attributes: flat and VLAN on physnet1 (what Kolla's
neutron_external_interface feeds), VXLAN for tenant networks (Kolla's default
tenant_network_types)."""

from aiohttp import web

from ..routes import add_resource
from . import api, ports
from .util import CloudError, bump, conflict, invalid_input, new_id, stamp

PHYSNETS = ("physnet1",)
VLAN_RANGE = (1, 4094)
VNI_RANGE = (1, 16777215)
TENANT_VNIS = (1, 1000)  # Kolla's default vni_ranges
PROVIDER = ("provider:network_type", "provider:physical_network", "provider:segmentation_id")
CREATE = {"name", "admin_state_up", "shared", "router:external", "mtu", "description",
          "port_security_enabled", "tenant_id", "project_id", "availability_zone_hints",
          "tags", "is_default", "qinq", "vlan_transparent", *PROVIDER}
UPDATE = {"name", "admin_state_up", "shared", "router:external", "mtu", "description",
          "port_security_enabled", "is_default", *PROVIDER}
FIELDS = CREATE | {"id", "status", "subnets", "availability_zones", "ipv4_address_scope",
                   "ipv6_address_scope", "created_at", "updated_at", "revision_number"}
MTU = {"vxlan": 1450, "flat": 1500, "vlan": 1500}


def render(ctx, network: dict) -> dict:
    out = dict(network)
    if not out.get("router:external"):
        # auto-allocated-topology's is_default lives on the external-network row: the real
        # Neutron shows it on external networks only.
        out.pop("is_default", None)
    if ctx is None or ctx.is_admin:
        return out
    return {k: v for k, v in out.items() if k not in PROVIDER}


def _segments_in_use(state, network_type: str, physnet) -> set:
    return {n["provider:segmentation_id"] for n in state["networks"].values()
            if n["provider:network_type"] == network_type
            and n["provider:physical_network"] == physnet}


def _flat(state, physnet, seg_id):
    if not physnet:
        raise invalid_input("physical_network required for flat provider network.")
    if physnet not in PHYSNETS:
        raise invalid_input(f"physical_network '{physnet}' unknown for flat provider network.")
    if seg_id is not None:
        raise invalid_input("segmentation_id prohibited for flat provider network.")
    if any(n["provider:network_type"] == "flat" and n["provider:physical_network"] == physnet
           for n in state["networks"].values()):
        raise conflict(f"Unable to create the flat network. Physical network {physnet} is in "
                       f"use.", "FlatNetworkInUse")
    return physnet, None


def _vlan(state, physnet, seg_id):
    if seg_id is not None and not physnet:
        raise invalid_input("segmentation_id requires physical_network for VLAN provider "
                            "network.")
    physnet = physnet or PHYSNETS[0]
    if physnet not in PHYSNETS:
        raise invalid_input(f"physical_network '{physnet}' unknown for VLAN provider network.")
    used = _segments_in_use(state, "vlan", physnet)
    if seg_id is None:
        seg_id = next(v for v in range(VLAN_RANGE[0], VLAN_RANGE[1] + 1) if v not in used)
    if not VLAN_RANGE[0] <= seg_id <= VLAN_RANGE[1]:
        raise invalid_input("segmentation_id out of range (1 through 4094).")
    if seg_id in used:
        raise conflict(f"Unable to create the network. The VLAN {seg_id} on physical network "
                       f"{physnet} is in use.", "VlanIdInUse")
    return physnet, seg_id


def _vxlan(state, physnet, seg_id):
    if physnet:
        raise invalid_input("provider:physical_network specified for VXLAN network")
    used = _segments_in_use(state, "vxlan", None)
    if seg_id is None:
        seg_id = next((v for v in range(TENANT_VNIS[0], TENANT_VNIS[1] + 1) if v not in used),
                      None)
        if seg_id is None:
            raise CloudError(503, "Unable to create the network. No tenant network is "
                                  "available for allocation.", "NoNetworkAvailable")
    if not VNI_RANGE[0] <= seg_id <= VNI_RANGE[1]:
        raise invalid_input(f"segmentation_id out of range ({VNI_RANGE[0]} through "
                            f"{VNI_RANGE[1]}).")
    if seg_id in used:
        raise conflict(f"Unable to create the network. The tunnel ID {seg_id} is in use.",
                       "TunnelIdInUse")
    return None, seg_id


def segment(state, data: dict) -> tuple[str, str | None, int | None]:
    network_type = data.get("provider:network_type") or "vxlan"
    physnet = data.get("provider:physical_network")
    seg_id = data.get("provider:segmentation_id")
    if seg_id is not None:
        try:
            seg_id = int(seg_id)
        except (TypeError, ValueError):
            raise invalid_input(f"segmentation_id '{seg_id}' is not an integer.") from None
    check = {"flat": _flat, "vlan": _vlan, "vxlan": _vxlan}.get(network_type)
    if check is None:
        raise invalid_input(f"network_type value '{network_type}' not supported.")
    physnet, seg_id = check(state, physnet, seg_id)
    return network_type, physnet, seg_id


def create_network(state, project_id: str, data: dict) -> dict:
    state.check_quota(project_id, "network")
    network_type, physnet, seg_id = segment(state, data)
    now = stamp()
    network = {
        **api.base_attrs(new_id(), project_id, now), "name": data.get("name", ""),
        "admin_state_up": api.as_bool(data.get("admin_state_up", True), "admin_state_up"),
        "mtu": int(data.get("mtu") or MTU[network_type]), "status": "ACTIVE", "subnets": [],
        "shared": api.as_bool(data.get("shared", False), "shared"),
        "availability_zone_hints": list(data.get("availability_zone_hints", [])),
        "availability_zones": [], "ipv4_address_scope": None, "ipv6_address_scope": None,
        "router:external": api.as_bool(data.get("router:external", False), "router:external"),
        "qinq": False, "vlan_transparent": False, "description": data.get("description", ""),
        "port_security_enabled": api.as_bool(data.get("port_security_enabled", True),
                                             "port_security_enabled"),
        "is_default": api.as_bool(data.get("is_default", False), "is_default"),
        "tags": list(data.get("tags", [])), "revision_number": 1,
        "provider:network_type": network_type, "provider:physical_network": physnet,
        "provider:segmentation_id": seg_id,
    }
    return state.put("networks", network)


def delete_network(state, network: dict) -> None:
    """Refused while ports other than the network's own DHCP port remain."""
    busy = [p for p in state.ports_on(network["id"]) if p["device_owner"] != "network:dhcp"]
    if busy:
        ids = ",".join(p["id"] for p in busy)
        raise conflict(f"Unable to complete operation on network {network['id']}. There are "
                       f"one or more ports still in use on the network, id for these ports "
                       f"is: {ids}.", "NetworkInUse")
    for port in state.ports_on(network["id"]):
        ports.delete(state, port)
    for sid in list(network["subnets"]):
        state.remove("subnets", sid)
    state.remove("networks", network["id"])


# --- HTTP handlers ------------------------------------------------------------------------

async def create(request):
    state, ctx = request.app["neutron"], request["ctx"]
    data = await api.read_body(request, "network", CREATE)
    api.require_write(ctx, "create_network")
    api.admin_only_fields(ctx, data, ("shared", "router:external", *PROVIDER, "is_default"),
                          "create_network")
    project = api.owner_of(ctx, data, "create_network")
    from . import secgroups
    secgroups.ensure_default(state, project)
    network = create_network(state, project, data)
    body = render(ctx, network)
    # The create answer alone still has the request's is_default (populated with its default
    # before the extension hook runs); show, list and update leave it out on a tenant network.
    body.setdefault("is_default", network["is_default"])
    return web.json_response({"network": body}, status=201)


list_ = api.list_handler("networks", render, FIELDS)
show = api.show_handler("networks", "network", render)


async def update(request):
    state, ctx = request.app["neutron"], request["ctx"]
    data = await api.read_body(request, "network", UPDATE)
    network = state.get_own(ctx, "networks", request.match_info["id"], "update_network")
    api.require_write(ctx, "update_network")
    api.admin_only_fields(ctx, data, ("shared", "router:external", *PROVIDER, "is_default"),
                          "update_network")
    if any(k in data for k in PROVIDER):
        raise invalid_input("Plugin does not support updating the following provider network "
                            "attributes: " + ", ".join(k for k in PROVIDER if k in data))
    state.unindex("networks", network)
    for key in ("name", "description", "mtu"):
        if key in data:
            network[key] = data[key]
    for key in ("admin_state_up", "shared", "router:external", "port_security_enabled",
                "is_default"):
        if key in data:
            network[key] = api.as_bool(data[key], key)
    if not network["router:external"]:
        network["is_default"] = False  # gone with the external-network row
    for sid in network["subnets"]:
        state["subnets"][sid]["router:external"] = network["router:external"]
    state.put("networks", network)
    bump(network)
    return web.json_response({"network": render(ctx, network)})


remove = api.delete_handler("networks", "delete_network", delete_network)


def routes(r, prefix: str) -> None:
    add_resource(r, f"{prefix}/networks", list_=list_, create=create, show=show, update=update,
                 delete=remove)
