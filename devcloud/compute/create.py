"""POST /servers: Nova's request validation, quota check, and the servers it creates."""

import base64
import binascii

from ..errors import CloudError
from . import block_devices, flavors, quotas
from .api import invalid_input, mv
from .service import admin_password, reservation_id


def _image(cloud, ref, ctx) -> dict:
    image_id = str(ref or "").rstrip("/").rsplit("/", 1)[-1]
    image = cloud.store["images"].get(image_id)
    if image is None or not _image_visible(image, ctx):
        raise CloudError(400, "Can not find requested image")
    if image.get("status") != "active":
        raise CloudError(400, f"Image {image_id} is not active.")
    return image


def _image_visible(image: dict, ctx) -> bool:
    return (ctx.is_admin or image.get("visibility") in ("public", "community")
            or image.get("owner") == ctx.project_id)


def _flavor(cloud, ref, ctx) -> dict:
    # a private flavor not given to the project is as unknown as a missing one
    flavor = flavors.find_visible(cloud.store, ref, ctx)
    if flavor is None:
        raise CloudError(400, f"Flavor {ref} could not be found.")
    return flavor


def _check_fit(flavor: dict, image: dict, volume_backed: bool = False) -> None:
    if flavor["ram"] < (image.get("min_ram") or 0):
        raise CloudError(400, "Flavor's memory is too small for requested image.")
    if volume_backed:  # the root disk is the volume: the flavor's disk does not hold it
        return
    if flavor["disk"] and flavor["disk"] < (image.get("min_disk") or 0):
        raise CloudError(400, "Flavor's disk is too small for requested image.")
    size_gb = (image.get("size") or 0) / 1024 ** 3
    if flavor["disk"] and size_gb > flavor["disk"]:
        raise CloudError(400, "Flavor's disk is too small for requested image.")


def _counts(body: dict) -> tuple[int, int]:
    def as_int(field):
        value = body.get(field, None)
        if value is None:
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise invalid_input(field, value, f"'{value}' is not of type 'integer'") from None
        if number < 1:
            raise invalid_input(field, value, f"{value} is less than the minimum of 1")
        return number
    min_count = as_int("min_count") or 1
    max_count = as_int("max_count") or min_count
    if min_count > max_count:
        raise CloudError(400, "min_count must be <= max_count")
    return min_count, max_count


def _user_data(body: dict):
    data = body.get("user_data")
    if data is None:
        return None
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise invalid_input("user_data", data, f"'{data}' is not a 'base64'") from None
    if len(data) > 65535:
        raise invalid_input("user_data", "...", "is too long")
    return data


def _metadata(cloud, body: dict, project_id: str) -> dict:
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise invalid_input("metadata", metadata, f"{metadata!r} is not of type 'object'")
    allowed = quotas.limits(cloud.store, project_id)["metadata_items"]
    if 0 <= allowed < len(metadata):
        raise CloudError(403, f"Maximum number of metadata items exceeds {allowed}")
    for k, v in metadata.items():
        if not isinstance(v, str) or not 1 <= len(k) <= 255 or len(v) > 255:
            raise invalid_input(f"metadata/{k}", v, "is not a valid metadata entry")
    return {str(k): v for k, v in metadata.items()}


def _key_name(cloud, body: dict, ctx):
    name = body.get("key_name")
    if name is None:
        return None
    if f"{ctx.user_id}/{name}" not in cloud.store["keypairs"]:
        raise CloudError(400, "Invalid key_name provided.")
    return name


def _security_groups(cloud, body: dict, project_id: str) -> tuple[list[str], list[str] | None]:
    """Names to show and Neutron ids to bind. Unknown names: Nova's 400."""
    requested = [g.get("name") for g in body.get("security_groups") or [{"name": "default"}]]
    groups = [g for g in cloud.store["security_groups"].values()
              if g.get("project_id") in (project_id, None, "")]
    ids = []
    for name in requested:
        match = [g for g in groups if g.get("name") == name or g.get("id") == name]
        if match:
            ids.append(match[0]["id"])
        elif name != "default":
            # "default" is created by Neutron on a project's first port if absent
            raise CloudError(400, f"Unable to find security_group with name or id '{name}'")
    if len(ids) < len(requested):
        ids = None  # let Neutron apply the project's default group
    return requested, ids


def _networks(cloud, compute, body: dict, request, project_id: str, max_count: int):
    """The requested NICs as [{"uuid"} | {"port"}], validated as Nova validates them."""
    networks = body.get("networks")
    if networks is None:
        if mv(request, "2.37"):
            raise invalid_input("server", _shown(body), "'networks' is a required property")
        networks = "auto"
    if networks == "none":
        return []
    if networks == "auto":
        return _auto_network(compute, project_id)
    if not isinstance(networks, list):
        raise invalid_input("networks", networks, f"{networks!r} is not of type 'array'")
    nics = []
    for entry in networks:
        if entry.get("port"):
            if max_count > 1:
                raise CloudError(400, "Unable to launch multiple instances with a single "
                                      "configured port ID. Please launch your instance one by "
                                      "one with different ports.")
            nics.append({"port": entry["port"]})
        elif entry.get("uuid"):
            _check_network(compute, entry["uuid"], project_id)
            nics.append({"uuid": entry["uuid"]})
        else:
            raise CloudError(400, "Bad networks format")
    return nics


def _shown(body: dict) -> dict:
    return {k: v for k, v in body.items()}


def _check_network(compute, network_id: str, project_id: str) -> None:
    net = compute.network.network(network_id)
    visible = net is not None and (net.get("shared") or net.get("router:external")
                                   or net.get("project_id") == project_id
                                   or net.get("tenant_id") == project_id)
    if not visible:
        raise CloudError(400, f"Network {network_id} could not be found.")
    if (net.get("router:external") and not net.get("shared")
            and net.get("project_id") != project_id):
        raise CloudError(403, "It is not allowed to create an interface on external network "
                              f"{network_id}")


def _auto_network(compute, project_id: str) -> list[dict]:
    """Nova's get-me-a-network: the one network the project can use, else an error."""
    nets = [n for n in compute.network.visible_networks(project_id)
            if not n.get("router:external")]
    if len(nets) == 1:
        return [{"uuid": nets[0]["id"]}]
    if len(nets) > 1:
        raise CloudError(409, "Multiple possible networks found, use a Network ID to be more "
                              "specific.")
    raise CloudError(400, f"Unable to automatically allocate a network for project {project_id}")


def _check_ports(compute, nics: list[dict], project_id: str) -> None:
    """A user-supplied port must exist, belong to the project and be unbound."""
    ports = compute.cloud.store["ports"]
    for nic in nics:
        if "port" not in nic:
            continue
        port = ports.get(nic["port"])
        if port is None or (port.get("project_id") not in (project_id, None)):
            raise CloudError(400, f"Port id {nic['port']} could not be found.")
        if port.get("device_id"):
            raise CloudError(409, f"Port {nic['port']} is still in use.")


def build_spec(compute, request, body: dict) -> dict:
    """Everything validated, in the order Nova checks it."""
    cloud = compute.cloud
    ctx = request["ctx"]
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        if "name" not in body:
            raise invalid_input("server", _shown(body), "'name' is a required property")
        raise invalid_input("name", body.get("name"), "is not a valid name")
    if "flavorRef" not in body:
        raise invalid_input("server", _shown(body), "'flavorRef' is a required property")
    min_count, max_count = _counts(body)
    az = body.get("availability_zone")
    if az not in (None, "", "nova"):
        raise CloudError(400, "The requested availability zone is not available")
    flavor = _flavor(cloud, body["flavorRef"], ctx)
    root = block_devices.root_of(block_devices.parse(body))
    if root is not None:
        image = block_devices.check_root(compute, root, ctx)
        image_id = ""     # a volume-backed server shows image ""
    elif not body.get("imageRef"):
        raise CloudError(400, "Missing imageRef attribute")
    else:
        image = _image(cloud, body.get("imageRef"), ctx)
        image_id = image["id"]
    _check_fit(flavor, image, volume_backed=root is not None)
    key_name = _key_name(cloud, body, ctx)
    metadata = _metadata(cloud, body, ctx.project_id)
    user_data = _user_data(body)
    group_names, group_ids = _security_groups(cloud, body, ctx.project_id)
    nics = _networks(cloud, compute, body, request, ctx.project_id, max_count)
    _check_ports(compute, nics, ctx.project_id)
    for nic in nics:
        nic["security_group_ids"] = group_ids
    if root is not None:
        block_devices.reserve_existing(compute, root)
    return {"name": body["name"], "flavor": flavor, "image_id": image_id,
            "root_volume": block_devices.spec_of(root),
            "key_name": key_name, "metadata": metadata, "user_data": user_data,
            "description": body.get("description") if mv(request, "2.19") else None,
            "security_groups": group_names, "networks": nics,
            "access_ipv4": body.get("accessIPv4"), "access_ipv6": body.get("accessIPv6"),
            "min_count": min_count, "max_count": max_count}


def create_servers(compute, request, spec: dict) -> tuple[list[dict], str, str]:
    ctx = request["ctx"]
    quota = quotas.limits(compute.store, ctx.project_id)
    count = quotas.allowed_count(spec["flavor"], spec["min_count"], spec["max_count"],
                                 compute.usage(ctx.project_id), quota)
    rid = reservation_id()
    servers = []
    for index in range(count):
        # Nova's multi_instance_display_name_template: "%(name)s-%(count)d"
        name = spec["name"] if count == 1 else f"{spec['name']}-{index + 1}"
        server = compute.new_server(ctx, spec, name, index, rid)
        block_devices.attach_existing(compute, server)
        compute.record_action(server, "create", ctx, request["request_id"])
        servers.append(server)
    return servers, rid, admin_password()
