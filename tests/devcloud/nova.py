"""Raw-HTTP helpers for the Nova and Glance tests: a token per account, calls with a
microversion, and waiting for a server to reach a status."""

import time

import requests


class Client:
    def __init__(self, devcloud, user: str, project: str | None = None):
        self.devcloud = devcloud
        self.token = devcloud.token(user, project=project)
        self.base = devcloud.base_url

    def call(self, method: str, path: str, body=None, mv: str | None = "2.104", **kwargs):
        headers = {"X-Auth-Token": self.token, **kwargs.pop("headers", {})}
        if mv and path.startswith("/compute"):
            headers["OpenStack-API-Version"] = f"compute {mv}"
        return requests.request(method, self.base + path, json=body, headers=headers,
                                timeout=30, **kwargs)

    def nova(self, method: str, path: str, body=None, mv: str | None = "2.104", **kwargs):
        return self.call(method, "/compute/v2.1" + path, body, mv, **kwargs)

    def project_id(self) -> str:
        resp = requests.get(f"{self.base}/v3/auth/tokens", headers={
            "X-Auth-Token": self.token, "X-Subject-Token": self.token}, timeout=10)
        return resp.json()["token"]["project"]["id"]

    def boot(self, name: str, networks="none", **extra) -> list[dict]:
        """POST /servers; returns the servers it made (found by reservation id)."""
        body = {"server": {"name": name, "flavorRef": "1", "imageRef": self.cirros(),
                           "networks": networks, "return_reservation_id": True, **extra}}
        resp = self.nova("POST", "/servers", body)
        assert resp.status_code == 202, resp.text
        rid = resp.json()["reservation_id"]
        found = self.nova("GET", f"/servers/detail?reservation_id={rid}").json()["servers"]
        return sorted(found, key=lambda s: s["name"])

    def cirros(self) -> str:
        images = self.call("GET", "/image/v2/images?name=cirros").json()["images"]
        return images[0]["id"]

    def wait(self, server_id: str, status: str, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            resp = self.nova("GET", f"/servers/{server_id}")
            if status == "GONE" and resp.status_code == 404:
                return {}
            server = resp.json().get("server", {})
            if server.get("status") == status and server.get("OS-EXT-STS:task_state") is None:
                return server
            if time.monotonic() > deadline:
                raise AssertionError(f"{server_id} still {server.get('status')}, not {status}")
            time.sleep(0.1)

    def delete_all(self, servers) -> None:
        for s in servers:
            self.nova("DELETE", f"/servers/{s['id']}")
        for s in servers:
            self.wait(s["id"], "GONE")
