"""Nova's and Neutron's list answers as plain dicts, through openstacksdk's own proxies.

Why not `conn.compute.servers()`: openstacksdk builds a Resource per server at about 7 ms
each (attribute introspection), which would make a 50-row page cost 350 ms and a poll of
100 changed servers most of a second. The proxies still do auth, catalog, version
discovery and microversion negotiation; only the Resource objects are skipped.
"""

from openstack import exceptions as os_exc
from openstack import utils

WANTED_MICROVERSION = "2.100"  # embedded flavor (2.47); as openstacksdk's Server asks


class Server:
    """Attribute access to one server of Nova's detailed view (the names openstacksdk's
    Server uses, so rows and the poller read either)."""

    def __init__(self, body: dict):
        self.body = body
        self.id = body["id"]
        self.name = body.get("name") or ""
        self.status = body.get("status") or ""
        self.task_state = body.get("OS-EXT-STS:task_state")
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


def _get(proxy, path: str, params, **kwargs) -> dict:
    resp = proxy.get(path, params=params, raise_exc=False, **kwargs)
    os_exc.raise_from_response(resp)
    return resp.json()


def servers(conn, params: dict, follow: bool = False) -> list[Server]:
    """GET /servers/detail with params; `follow` walks Nova's next links (the poller,
    when more than max_limit servers changed at once)."""
    mv = utils.maximum_supported_microversion(conn.compute, WANTED_MICROVERSION)
    out, params = [], dict(params)
    while True:
        body = _get(conn.compute, "/servers/detail", params, microversion=mv)
        page = [Server(s) for s in body.get("servers", [])]
        out += page
        nxt = [link for link in body.get("servers_links", []) if link.get("rel") == "next"]
        if not (follow and nxt and page):
            return out
        params["marker"] = page[-1].id


def ports_of(conn, server_ids: list[str]) -> list[dict]:
    """GET /ports?device_id=a&device_id=b… (Neutron's own port dicts)."""
    if not server_ids:
        return []
    return _get(conn.network, "/ports", [("device_id", i) for i in server_ids])["ports"]
