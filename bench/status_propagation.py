"""Status propagation: devcloud marks a server ACTIVE → the row reaches a connected
WebSocket client; and Nova list calls per minute with 0, 10 and 100 servers building.

    .venv/bin/python bench/status_propagation.py [--samples 30] [--window 30]

Own devcloud, portal (uvicorn) and Celery worker+beat on loopback. Servers are launched
through the portal's form one by one, 0.35 s apart, so ACTIVE moments fall at every phase
of the 1 s tick. Latency = time the client received the ACTIVE row − the server's
`launched_at` as devcloud recorded it. Target: p95 < 1.5 s; calls/minute independent of
the number building. Bounded: about three minutes.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vmsbench  # noqa: E402


def wait(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.3)
    raise RuntimeError(f"timed out: {what}")


def delete_all(demo):
    for s in list(demo.compute.servers()):
        demo.compute.delete_server(s)
    wait(lambda: not list(demo.compute.servers()), 60, "servers deleted")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--window", type=float, default=30.0, help="seconds per calls/min window")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            vmsbench.stack(Path(tmp), build_delay=2.0) as st:
        dc, url = st["dc"], st["url"]
        vmsbench.raise_quota(dc, "demo", 150)
        demo = vmsbench.connect(dc, "devcloud-demo")
        net = vmsbench.big_network(demo)
        image = demo.image.find_image("cirros").id
        s = vmsbench.login(url)
        with vmsbench.Listener(url, s) as ws:
            for i in range(args.samples):
                vmsbench.launch_form(url, s, f"prop-{i:03d}", net.id, image)
                time.sleep(0.35)
            ids = {x.id: x for x in demo.compute.servers()}
            wait(lambda: set(ids) <= set(ws.first_seen("ACTIVE")), 60, "all ACTIVE rows")
            seen = ws.first_seen("ACTIVE")
            lat = []
            for sid in ids:
                server = demo.compute.get_server(sid)
                lat.append(seen[sid] - vmsbench.utc_ts(server.launched_at))
            print(f"ACTIVE → WebSocket client: {vmsbench.summary(lat)} "
                  f"max={max(lat) * 1000:.0f}ms")
        delete_all(demo)
        dc.admin_api("POST", "config", {"build_delay": 3600})  # they stay BUILD
        for building in (0, 10, 100):
            if building:
                vmsbench.launch_form(url, s, f"calls-{building}", net.id, image,
                                     count=building)
                wait(lambda b=building: len(list(demo.compute.servers(status="BUILD"))) == b,
                     30, "servers building")
            time.sleep(3)  # let the poller see the new state (and settle after deletes)
            t0 = time.time()
            time.sleep(args.window)
            calls = vmsbench.nova_list_calls(dc, t0)
            print(f"{building:3d} building: {calls * 60 / args.window:5.1f} Nova list calls "
                  f"per minute ({calls} in {args.window:.0f} s)")
            delete_all(demo)


if __name__ == "__main__":
    main()
