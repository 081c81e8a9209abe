"""Raw-HTTP helper for the Neutron tests: one token per account, calls under /networking."""

import uuid

import requests

V2 = "/networking/v2.0"


class Neutron:
    def __init__(self, devcloud, user: str):
        self.devcloud = devcloud
        self.token = devcloud.token(user)
        self.base = devcloud.base_url + V2

    def call(self, method: str, path: str, body=None, **kwargs):
        return requests.request(method, self.base + path, json=body, timeout=30,
                                headers={"X-Auth-Token": self.token}, **kwargs)

    def ok(self, method: str, path: str, body=None, status: int | None = None):
        resp = self.call(method, path, body)
        expected = status or {"POST": 201, "DELETE": 204}.get(method, 200)
        assert resp.status_code == expected, resp.text
        return resp.json() if resp.content else None

    def refused(self, method: str, path: str, body, status: int, kind: str,
                message: str | None = None) -> dict:
        resp = self.call(method, path, body)
        assert resp.status_code == status, resp.text
        err = resp.json()["NeutronError"]
        assert err["type"] == kind, err
        if message is not None:
            assert err["message"] == message
        return err

    def network(self, **attrs) -> dict:
        attrs.setdefault("name", f"t-{uuid.uuid4().hex[:8]}")
        return self.ok("POST", "/networks", {"network": attrs})["network"]

    def subnet(self, network_id: str, cidr: str, **attrs) -> dict:
        body = {"network_id": network_id, "cidr": cidr, "ip_version": 6 if ":" in cidr else 4,
                **attrs}
        return self.ok("POST", "/subnets", {"subnet": body})["subnet"]

    def port(self, network_id: str, **attrs) -> dict:
        return self.ok("POST", "/ports", {"port": {"network_id": network_id, **attrs}})["port"]

    def one(self, collection: str, **filters) -> dict:
        key = collection.replace("-", "_")
        (item,) = self.call("GET", f"/{collection}", params=filters).json()[key]
        return item
