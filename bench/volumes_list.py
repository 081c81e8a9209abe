"""The volumes list with 1,000 volumes in the project: server-side time and API calls.

    .venv/bin/python bench/volumes_list.py [--volumes 1000] [--attached 10] [--runs 40]

On its own devcloud: raises the demo project's Cinder quota, makes the volumes (a few
attached to servers, so the "attached to" column has names to show), then GETs /volumes/
through a live portal as the member, reading Server-Timing and X-Cloud-Calls and the calls
devcloud received per page (one volumes/detail page of 50, the servers' names, the
snapshots). Measured: 1,000 volumes, 50 rows a page: p50 30 ms, p95 64 ms, 3 API calls
(all 1,000 on one page, before paging: p50 422 ms, p95 637 ms, 4 calls).
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vmsbench  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--volumes", type=int, default=1000)
    ap.add_argument("--attached", type=int, default=10)
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            vmsbench.stack(Path(tmp), build_delay=0.2, worker=False) as st:
        dc, url = st["dc"], st["url"]
        demo = vmsbench.connect(dc, "devcloud-demo")
        admin = vmsbench.connect(dc, "devcloud-admin")
        admin.block_storage.update_quota_set(demo.current_project_id,
                                             volumes=args.volumes + 10,
                                             gigabytes=args.volumes * 2 + 10)
        vols = [demo.block_storage.create_volume(size=1, name=f"bench-{i}")
                for i in range(args.volumes)]
        net = demo.network.find_network("private")
        image = demo.image.find_image("cirros").id
        servers = [demo.compute.create_server(name=f"bench-srv-{i}", flavor_id="1",
                                              image_id=image, networks=[{"uuid": net.id}])
                   for i in range(args.attached)]
        servers = [demo.compute.wait_for_server(s, wait=60, interval=0.2) for s in servers]
        for server, vol in zip(servers, vols, strict=False):
            demo.block_storage.wait_for_status(vol, "available", wait=60, interval=0.2)
            demo.compute.create_volume_attachment(server, volume_id=vol.id)
        time.sleep(1)
        member = vmsbench.login(url)
        member.get(f"{url}/volumes/")  # warm: version discovery
        server_ms, calls, devcloud_calls = [], [], []
        for _ in range(args.runs):
            t0 = time.time()
            resp = member.get(f"{url}/volumes/")
            resp.raise_for_status()
            server_ms.append(vmsbench.server_timing(resp.headers)["app"] / 1000)
            calls.append(int(resp.headers["X-Cloud-Calls"]))
            stats = dc.admin_api("GET", f"stats?since={t0}")["calls"]
            devcloud_calls.append(len([c for c in stats if not c["path"].startswith("/v3")]))
        rows = resp.text.count('data-testid="volume-row"')
        print(f"volumes={args.volumes} attached={args.attached} rows/page={rows}  server time "
              f"{vmsbench.summary(server_ms)}  API calls/page max={max(calls)} "
              f"(devcloud saw max {max(devcloud_calls)})")


if __name__ == "__main__":
    main()
