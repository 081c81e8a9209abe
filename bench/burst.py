"""Burst: launch 100 servers in one request through the portal; time until a connected
WebSocket client has seen all 100 rows ACTIVE; no update lost.

    .venv/bin/python bench/burst.py [--count 100] [--build-delay 2]

Own devcloud, portal (uvicorn) and Celery worker+beat on loopback; bounded (2 minutes).
"Lost" = a server whose last row at the client is not ACTIVE, or that never got a row.
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
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--build-delay", type=float, default=2.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            vmsbench.stack(Path(tmp), build_delay=args.build_delay) as st:
        dc, url = st["dc"], st["url"]
        vmsbench.raise_quota(dc, "demo", args.count + 10)
        demo = vmsbench.connect(dc, "devcloud-demo")
        net = vmsbench.big_network(demo)
        image = demo.image.find_image("cirros").id
        s = vmsbench.login(url)
        with vmsbench.Listener(url, s) as ws:
            t0 = time.time()
            vmsbench.launch_form(url, s, "burst", net.id, image, count=args.count)
            t_resp = time.time()
            ids = {x.id for x in demo.compute.servers(name="^burst")}
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                latest = ws.latest()
                if ids and all(latest.get(i) == "ACTIVE" for i in ids):
                    break
                time.sleep(0.05)
            t_all = time.time()
            latest = ws.latest()
            active_at = [vmsbench.utc_ts(demo.compute.get_server(i).launched_at) for i in ids]
            lost = [i for i in ids if latest.get(i) != "ACTIVE"]
            print(f"servers requested: {args.count} in one request; made: {len(ids)}; "
                  f"launch request took {(t_resp - t0) * 1000:.0f} ms")
            print(f"all {len(ids)} rows ACTIVE at the client {t_all - t0:.2f} s after submit "
                  f"(the last one went ACTIVE in devcloud at +{max(active_at) - t0:.2f} s; "
                  f"client lag after it {t_all - max(active_at):.2f} s)")
            print(f"row messages received: {len(ws.events)}; lost updates: {len(lost)}")
            nova_calls = vmsbench.nova_list_calls(dc, t0)
            print(f"Nova list calls during the burst: {nova_calls} "
                  f"over {t_all - t0:.1f} s")


if __name__ == "__main__":
    main()
