"""Nova's servers as plain objects: `Server` gives attribute access to one server of
Nova's detailed view, read as raw JSON through portal.reads (openstacksdk's own Server
Resource costs about 7 ms each to build, which a 50-row page or a poll of 100 changed
servers cannot afford). The attribute names are openstacksdk's, so vms.rows and the
poller read either kind.
"""

from openstack import utils

from portal import reads

WANTED_MICROVERSION = "2.100"  # embedded flavor (2.47); as openstacksdk's Server asks


class Server:
    def __init__(self, body: dict):
        self.body = body
        self.id = body["id"]
        self.name = body.get("name") or ""
        self.status = body.get("status") or ""
        self.task_state = body.get("OS-EXT-STS:task_state")
        self.vm_state = body.get("OS-EXT-STS:vm_state")  # what vms.offered's rules read
        self.is_locked = bool(body.get("locked"))  # 2.9
        self.locked_reason = body.get("locked_reason")  # 2.73
        self.addresses = body.get("addresses") or {}
        self.flavor = _Flavor(body.get("flavor") or {})
        image = body.get("image")
        self.image = _Image(image["id"]) if isinstance(image, dict) and image.get("id") \
            else None
        self.created_at = body.get("created")
        self.updated_at = body.get("updated")
        self.launched_at = body.get("OS-SRV-USG:launched_at")
        self.terminated_at = body.get("OS-SRV-USG:terminated_at")
        self.project_id = body.get("tenant_id")
        self.fault = body.get("fault")
        self.metadata = body.get("metadata") or {}
        self.key_name = body.get("key_name")
        self.security_groups = body.get("security_groups") or []
        self.attached_volumes = body.get("os-extended-volumes:volumes_attached") or []


class _Flavor:
    def __init__(self, body: dict):
        self.id = body.get("id")
        self.name = body.get("original_name")
        self.original_name = body.get("original_name")
        self.vcpus = body.get("vcpus")
        self.ram = body.get("ram")
        self.disk = body.get("disk")


class _Image:
    def __init__(self, image_id: str):
        self.id = image_id


def detailed(conn, params: dict, follow: bool = False) -> list[Server]:
    """GET /servers/detail with params: one page (Nova's limit/marker), or with `follow`
    every page (the poller, when more than max_limit servers changed at once)."""
    mv = utils.maximum_supported_microversion(conn.compute, WANTED_MICROVERSION)
    if follow:
        found = reads.follow(conn.compute, "/servers/detail", "servers", params,
                             microversion=mv)
    else:
        found = reads.get(conn.compute, "/servers/detail", params,
                          microversion=mv).get("servers", [])
    return [Server(s) for s in found]


def ports_of(conn, server_ids: list[str]) -> list[dict]:
    """GET /ports?device_id=a&device_id=b… (Neutron's own port dicts)."""
    if not server_ids:
        return []
    return reads.collection(conn.network, "/ports", "ports", device_id=list(server_ids))


def floating_ips_on(conn, port_ids: list[str]) -> list[dict]:
    """GET /floatingips?port_id=a&port_id=b… : the floating IPs on these ports."""
    if not port_ids:
        return []
    return reads.collection(conn.network, "/floatingips", "floatingips",
                            port_id=list(port_ids))
