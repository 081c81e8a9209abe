"""devcloud at scale: 10,000 servers across 100 projects, then time the portal poller's call.

    .venv/bin/python bench/devcloud_scale.py [--projects 100] [--per-project 100] [--runs 30]

Starts a fresh devcloud on free ports, creates the projects (admin gets a role in each),
raises their quotas, boots the servers with max_count batches (each on its project's own
network when Neutron is there), waits for ACTIVE, then times
`GET /compute/v2.1/servers/detail?all_tenants=1` (one page: Nova's max_limit, 1000) and
prints p50/p95.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from devcloud import testing  # noqa: E402

MV = {"OpenStack-API-Version": "compute 2.100"}  # what openstacksdk sends for servers


class Admin:
    def __init__(self, dc):
        self.dc = dc
        self.base = dc.base_url
        self.token = dc.token("admin")
        self.s = requests.Session()

    def call(self, method, path, body=None, token=None, **kw):
        headers = {"X-Auth-Token": token or self.token, **MV}
        resp = self.s.request(method, self.base + path, json=body, headers=headers, **kw)
        if resp.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.text[:300]}")
        return resp


def make_projects(admin: Admin, count: int) -> list[dict]:
    user = admin.call("GET", "/v3/users?name=admin").json()["users"][0]
    role = [r for r in admin.call("GET", "/v3/roles").json()["roles"] if r["name"] == "admin"][0]
    projects = []
    for n in range(count):
        p = admin.call("POST", "/v3/projects", {"project": {
            "name": f"scale-{n:03d}", "domain_id": "default"}}).json()["project"]
        admin.call("PUT", f"/v3/projects/{p['id']}/users/{user['id']}/roles/{role['id']}")
        projects.append(p)
    return projects


def project_network(admin: Admin, token: str, n: int):
    """A network + /24 subnet in the project, or None without Neutron."""
    probe = admin.s.get(admin.base + "/networking/v2.0/networks",
                        headers={"X-Auth-Token": token})
    if probe.status_code != 200:
        return None
    net = admin.call("POST", "/networking/v2.0/networks", {"network": {"name": f"net-{n}"}},
                     token=token).json()["network"]
    admin.call("POST", "/networking/v2.0/subnets", {"subnet": {
        "network_id": net["id"], "ip_version": 4, "cidr": f"10.{n // 250}.{n % 250}.0/24",
        "name": f"sub-{n}"}}, token=token)
    return net["id"]


def boot(admin: Admin, projects, per_project: int, image_id: str) -> bool:
    with_network = False
    for n, p in enumerate(projects):
        admin.call("PUT", f"/compute/v2.1/os-quota-sets/{p['id']}", {"quota_set": {
            "instances": per_project, "cores": per_project, "ram": per_project * 512}})
        token = admin.dc.token("admin", project=p["name"])
        net_id = project_network(admin, token, n)
        with_network = with_network or net_id is not None
        networks = [{"uuid": net_id}] if net_id else "none"
        admin.call("POST", "/compute/v2.1/servers", {"server": {
            "name": f"vm{n}", "flavorRef": "1", "imageRef": image_id, "networks": networks,
            "min_count": per_project, "max_count": per_project}}, token=token)
    return with_network


def wait_active(admin: Admin, total: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        building = admin.call("GET", "/compute/v2.1/servers?all_tenants=1&status=BUILD"
                                     "&limit=1000").json()["servers"]
        if not building:
            return
        time.sleep(1)
    raise RuntimeError("servers still building")


def measure(admin: Admin, runs: int) -> tuple[list[float], int, int]:
    times, count, size = [], 0, 0
    for _ in range(runs):
        t0 = time.perf_counter()
        resp = admin.call("GET", "/compute/v2.1/servers/detail?all_tenants=1")
        body = resp.json()
        times.append((time.perf_counter() - t0) * 1000)
        count, size = len(body["servers"]), len(resp.content)
    return times, count, size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--projects", type=int, default=100)
    ap.add_argument("--per-project", type=int, default=100)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    state = Path(tempfile.mkdtemp(prefix="devcloud-scale-")) / "state"
    with testing.running(state, "--build-delay", "0.2", timeout=60) as dc:
        admin = Admin(dc)
        t0 = time.perf_counter()
        projects = make_projects(admin, args.projects)
        image = admin.call("GET", "/image/v2/images?name=cirros").json()["images"][0]["id"]
        with_network = boot(admin, projects, args.per_project, image)
        total = args.projects * args.per_project
        wait_active(admin, total)
        print(f"created {total} servers in {args.projects} projects "
              f"({'with' if with_network else 'without'} Neutron ports) "
              f"in {time.perf_counter() - t0:.1f} s")
        time.sleep(3)  # let the state snapshot settle
        times, count, size = measure(admin, args.runs)
        q = statistics.quantiles(times, n=20)
        print(f"GET servers/detail?all_tenants=1: {count} servers/page, {size / 1e6:.2f} MB, "
              f"{args.runs} runs: p50 {statistics.median(times):.0f} ms, "
              f"p95 {q[18]:.0f} ms, max {max(times):.0f} ms")


if __name__ == "__main__":
    main()
