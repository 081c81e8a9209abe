"""The server list with 1,000 servers in the project: server-side time and API calls.

    .venv/bin/python bench/vms_list.py [--servers 1000] [--runs 60]

Boots the servers in the demo project on its own devcloud (a quarter of them stopped and
a few locked, so the row menus differ), then GETs /servers/ (first page, a page walk, and
a filtered page) through a live portal, reading Server-Timing and X-Cloud-Calls, and
counting the calls devcloud received per page. Each page is read as the member (every row
with its action menu and checkbox, from vms.offered's table) and as the project's reader
(no menus): the difference is what the menus cost.
Target: p50 < 200 ms, ≤ 4 API calls per page (1 warm).
"""

import argparse
import itertools
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vmsbench  # noqa: E402


def timing(resp) -> float:
    return vmsbench.server_timing(resp.headers)["app"] / 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--servers", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=60)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            vmsbench.stack(Path(tmp), build_delay=0.2, worker=False) as st:
        dc, url = st["dc"], st["url"]
        vmsbench.raise_quota(dc, "demo", args.servers + 10)
        demo = vmsbench.connect(dc, "devcloud-demo")
        net = vmsbench.big_network(demo)
        image = demo.image.find_image("cirros").id
        left = args.servers
        while left:
            n = min(left, 250)
            demo.compute.create_server(name="bench", flavor_id="1", image_id=image,
                                       networks=[{"uuid": net.id}], min_count=n, max_count=n)
            left -= n
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            building = list(demo.compute.servers(status="BUILD", limit=1, paginated=False))
            if not building:
                break
            time.sleep(1)
        everyone = list(demo.compute.servers())
        for server in everyone[::4]:
            demo.compute.stop_server(server)
        for server in everyone[1::25]:
            demo.compute.lock_server(server, locked_reason="bench")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and any(
                s.task_state for s in demo.compute.servers()):
            time.sleep(1)
        member, reader = vmsbench.login(url), vmsbench.login(url, "reader")
        for who in (member, reader):
            who.get(f"{url}/servers/")  # warm: version discovery, image names
        for (label, path), (who, s) in itertools.product(
                [("first page", "/servers/"), ("filtered (name)", "/servers/?name=bench-5"),
                 ("filtered (status)", "/servers/?status=SHUTOFF")],
                [("member", member), ("reader", reader)]):
            server_ms, calls, seen = [], [], []
            for _ in range(args.runs):
                t0 = time.time()
                resp = s.get(url + path)
                resp.raise_for_status()
                server_ms.append(timing(resp))
                calls.append(int(resp.headers["X-Cloud-Calls"]))
                seen.append(len(vmsbench.ROW.findall(resp.text)))
                menus = resp.text.count('data-testid="row-menu"')
                stats = dc.admin_api("GET", f"stats?since={t0}")["calls"]
                calls[-1] = max(calls[-1], len([c for c in stats
                                                if not c["path"].startswith("/v3")]))
            print(f"{label:18} {who:6} rows/page={seen[0]:3} menus={menus:3}  server time "
                  f"{vmsbench.summary(server_ms)}  API calls/page max={max(calls)}")
        # Walk all pages with Nova's marker (as the member: every row with its menu).
        s = member
        walk, pages, marker = [], 0, None
        while True:
            resp = s.get(f"{url}/servers/" + (f"?marker={marker}" if marker else ""))
            walk.append(timing(resp))
            pages += 1
            m = re.search(r'marker=([0-9a-f-]{36})" data-testid="next-page"', resp.text)
            if not m:
                break
            marker = m.group(1)
        print(f"page walk          pages={pages} server time {vmsbench.summary(walk)}")
        print(f"servers in project: {args.servers}")


if __name__ == "__main__":
    main()
