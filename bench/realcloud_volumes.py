"""The volumes list on the real cloud of ../shared/realcloud: server time p50/p95 and API
calls a page (X-Cloud-Calls), with the demo project's volumes as they are and with
--volumes more (1 GB each; Cinder's volume quota raised for the run, put back after).

    .venv/bin/python bench/realcloud_volumes.py [--requests 20] [--volumes 20]

Starts its own portal (bench/realcloud_pages.py's); deletes the volumes it makes.
Measured (2026-12-01, 2 cores shared with other runs): 20 volumes, p50 108 ms, p95 143 ms,
3 API calls a page (a volumes/detail page, the servers' names, the snapshots).
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import openstack

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.realcloud_pages import login, start_portal  # noqa: E402
from bench.vmsbench import pct, server_timing  # noqa: E402
from tests import realcloud  # noqa: E402


def measure(session, url: str, n: int) -> None:
    session.get(f"{url}/volumes/")  # warm: version discovery
    times, calls = [], set()
    for _ in range(n):
        resp = session.get(f"{url}/volumes/")
        resp.raise_for_status()
        times.append(server_timing(resp.headers)["app"])
        calls.add(int(resp.headers["X-Cloud-Calls"]))
    rows = resp.text.count('data-testid="volume-row"')
    print(f"  volumes list ({rows} rows)  p50 {pct(times, 50):6.1f} ms  "
          f"p95 {pct(times, 95):6.1f} ms  API calls/page {sorted(calls)}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--requests", type=int, default=20)
    p.add_argument("--volumes", type=int, default=20)
    args = p.parse_args()
    admin = realcloud.admin(realcloud.REALCLOUD_DIR)
    demo_project = admin.identity.find_project("demo")
    conn = openstack.connect(auth_url=realcloud.KEYSTONE, username="demo", password="demo",
                             project_name="demo", user_domain_name="Default",
                             project_domain_name="Default")
    used = len(list(conn.block_storage.volumes()))
    admin.block_storage.update_quota_set(demo_project.id, volumes=used + args.volumes + 5)
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_portal(Path(tmp))
        try:
            session = login(url)
            print(f"real cloud, demo project, {args.requests} requests")
            print(f"with {used} volumes:")
            measure(session, url, args.requests)
            made = [conn.block_storage.create_volume(size=1, name=f"bench-vol-{i}")
                    for i in range(args.volumes)]
            t0 = time.monotonic()
            for vol in made:
                conn.block_storage.wait_for_status(vol, "available", wait=120, interval=0.5)
            print(f"({args.volumes} volumes available {time.monotonic() - t0:.1f} s after "
                  "the last create)")
            print(f"with {used + len(made)} volumes:")
            measure(session, url, args.requests)
        finally:
            for vol in made:
                conn.block_storage.delete_volume(vol, ignore_missing=True)
            for vol in made:
                conn.block_storage.wait_for_delete(vol, wait=120)
            proc.terminate()
            proc.wait(10)
            admin.block_storage.revert_quota_set(demo_project.id)


if __name__ == "__main__":
    main()
