"""Both overviews: the admin's cloud page (its capacity fragment, usage across projects) and
the tenant's Overview usage fragment: server time p50/p95, the wall time of its cloud calls
(Server-Timing `cloud`) and the cloud API calls per page.

    .venv/bin/python bench/overviews.py --cloud devcloud [--hosts 1,100] [--requests 20]
    .venv/bin/python bench/overviews.py --cloud realcloud [--requests 20]

devcloud: starts its own devcloud and portal, and gives devcloud 1 and then 100 compute
hosts (POST /devcloud/config {"compute_hosts": N}). realcloud: needs ../shared/realcloud
running; starts its own portal; its compute hosts are the ones it has (one).
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import vmsbench  # noqa: E402
from bench.vmsbench import pct, server_timing  # noqa: E402

PAGES = [
    # (label, who, path, htmx fragment?)
    ("admin: cloud page", "admin", "/admin/cloud/", False),
    ("admin: capacity", "admin", "/admin/cloud/capacity/", True),
    ("admin: project usage", "admin", "/admin/cloud/usage/", False),
    ("tenant: overview usage", "demo", "/overview/usage/", True),
]


def measure(session, url: str, path: str, htmx: bool, n: int) -> dict:
    headers = {"HX-Request": "true"} if htmx else {}
    session.get(url + path, headers=headers).raise_for_status()   # warm: discovery
    app, cloud, calls = [], [], set()
    for _ in range(n):
        resp = session.get(url + path, headers=headers)
        resp.raise_for_status()
        timing = server_timing(resp.headers)
        app.append(timing["app"])
        cloud.append(timing.get("cloud", float("nan")))
        calls.add(int(resp.headers["X-Cloud-Calls"]))
    return {"p50": pct(app, 50), "p95": pct(app, 95), "cloud": pct(cloud, 50),
            "calls": sorted(calls)}


def report(label: str, sessions: dict, url: str, n: int) -> None:
    print(f"{label}, {n} requests per page (server time, ms)")
    print(f"  {'page':24} {'p50':>8} {'p95':>8} {'cloud p50':>10} {'calls':>8}")
    for name, who, path, htmx in PAGES:
        got = measure(sessions[who], url, path, htmx, n)
        print(f"  {name:24} {got['p50']:8.1f} {got['p95']:8.1f} {got['cloud']:10.1f} "
              f"{str(got['calls']):>8}")


def on_devcloud(hosts: list[int], n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, vmsbench.stack(Path(tmp), worker=False) as st:
        url, dc = st["url"], st["dc"]
        sessions = {who: vmsbench.login(url, who) for who in ("admin", "demo")}
        for count in hosts:
            dc.admin_api("POST", "config", {"compute_hosts": count})
            projects = len(list(vmsbench.connect(dc, "devcloud-admin").identity.projects()))
            report(f"devcloud, {count} compute host{'s' if count != 1 else ''}, "
                   f"{projects} projects", sessions, url, n)


def on_realcloud(n: int) -> None:
    from bench.realcloud_pages import start_portal

    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_portal(Path(tmp))
        try:
            sessions = {who: vmsbench.login(url, who) for who in ("admin", "demo")}
            report("realcloud (its own compute hosts)", sessions, url, n)
        finally:
            proc.terminate()
            proc.wait(10)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cloud", choices=["devcloud", "realcloud"], default="devcloud")
    p.add_argument("--hosts", default="1,100", help="devcloud: compute host counts")
    p.add_argument("--requests", type=int, default=20)
    args = p.parse_args()
    if args.cloud == "devcloud":
        on_devcloud([int(h) for h in args.hosts.split(",")], args.requests)
    else:
        on_realcloud(args.requests)


if __name__ == "__main__":
    main()
