"""devcloud --guests tiny: how fast servers become real guests, and what a guest costs.

    .venv/bin/python bench/tiny_guests.py [--counts 1 5 10] [--build-delay 0.5] [--idle 10]

Starts a fresh devcloud with `--guests tiny` on free ports (the guest image is built first
when missing), then for each count boots that many servers in one Nova request
(min_count = max_count = N, on the demo project's `private` network) and records, from the
moment the request was sent, when each server was ACTIVE (qemu running) and when its
console output first showed `udhcpc: lease of <its port's IP>`. Afterwards, with the guests
idle, it reads each qemu's RSS and CPU use from /proc. Prints the figures; asserts nothing.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from devcloud import testing  # noqa: E402
from devcloud.guests import image  # noqa: E402

MV = {"OpenStack-API-Version": "compute 2.100"}
TICKS = os.sysconf("SC_CLK_TCK")


class Demo:
    def __init__(self, dc):
        self.dc = dc
        self.token = dc.token("demo")
        self.s = requests.Session()

    def call(self, method, path, body=None):
        resp = self.s.request(method, self.dc.base_url + path, json=body,
                              headers={"X-Auth-Token": self.token, **MV}, timeout=60)
        if resp.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.text[:300]}")
        return resp.json() if resp.content else None

    def network_id(self, name):
        return self.call("GET", f"/networking/v2.0/networks?name={name}")["networks"][0]["id"]

    def image_id(self, name):
        return self.call("GET", f"/image/v2/images?name={name}")["images"][0]["id"]


def boot_wave(demo: Demo, count: int, net: str, img: str) -> list[dict]:
    body = {"server": {"name": f"bench-{count}", "flavorRef": "1", "imageRef": img,
                       "networks": [{"uuid": net}], "min_count": count, "max_count": count,
                       "return_reservation_id": True}}
    t0 = time.monotonic()
    rid = demo.call("POST", "/compute/v2.1/servers", body)["reservation_id"]
    rows: dict[str, dict] = {}
    while True:
        servers = demo.call("GET", f"/compute/v2.1/servers/detail?reservation_id={rid}")
        now = time.monotonic() - t0
        for s in servers["servers"]:
            row = rows.setdefault(s["id"], {"id": s["id"], "active": None, "lease": None})
            if s["status"] == "ERROR":
                raise RuntimeError(f"{s['id']} ended in ERROR: {s.get('fault')}")
            if row["active"] is None and s["status"] == "ACTIVE":
                row["active"] = now
                row["ip"] = [a["addr"] for net in s["addresses"].values() for a in net][0]
            if row["active"] is not None and row["lease"] is None:
                out = demo.call("POST", f"/compute/v2.1/servers/{s['id']}/action",
                                {"os-getConsoleOutput": {"length": -1}})["output"]
                if f"udhcpc: lease of {row['ip']} obtained" in out:
                    row["lease"] = time.monotonic() - t0
        if len(rows) == count and all(r["lease"] is not None for r in rows.values()):
            return list(rows.values())
        if time.monotonic() - t0 > 300:
            raise RuntimeError(f"not every server leased in 300 s: {rows}")
        time.sleep(0.1)


def delete_all(demo: Demo, rows: list[dict]) -> None:
    for r in rows:
        demo.s.delete(f"{demo.dc.base_url}/compute/v2.1/servers/{r['id']}",
                      headers={"X-Auth-Token": demo.token, **MV})
    for r in rows:
        while demo.s.get(f"{demo.dc.base_url}/compute/v2.1/servers/{r['id']}",
                         headers={"X-Auth-Token": demo.token, **MV}).status_code != 404:
            time.sleep(0.1)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def spread(values: list[float]) -> str:
    return (f"{min(values):6.1f} {statistics.median(values):6.1f} {max(values):6.1f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--counts", type=int, nargs="+", default=[1, 5, 10])
    p.add_argument("--build-delay", type=float, default=0.5)
    p.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU sampling")
    args = p.parse_args()
    built = image.ensure()
    print(f"guest image: {built.describe()}; {os.cpu_count()} CPUs, TCG")
    with tempfile.TemporaryDirectory() as tmp, testing.running(
            Path(tmp) / "state", "--guests", "tiny", "--build-delay",
            str(args.build_delay)) as dc:
        status = dc.admin_api("GET", "guests")
        if not status.get("enabled"):
            sys.exit(f"guests not enabled: {status.get('reason')}")
        print(f"cap {status['cap']} guests, {status['boot_slots']} boot slots, "
              f"build delay {args.build_delay} s")
        demo = Demo(dc)
        net, img = demo.network_id("private"), demo.image_id("cirros")
        print("\n servers | create→ACTIVE s (min med max) | create→lease s (min med max)")
        last = []
        for count in args.counts:
            rows = boot_wave(demo, count, net, img)
            print(f" {count:7d} | {spread([r['active'] for r in rows])}        | "
                  f"{spread([r['lease'] for r in rows])}")
            if count != args.counts[-1]:
                delete_all(demo, rows)
            last = rows
        guests = {g["server_id"]: g for g in dc.admin_api("GET", "guests")["servers"]}
        pids = [guests[r["id"]]["pid"] for r in last if guests.get(r["id"], {}).get("pid")]
        time.sleep(3)                    # let the last getty settle
        before = {pid: cpu_seconds(pid) for pid in pids}
        time.sleep(args.idle)
        cpu = [(cpu_seconds(pid) - before[pid]) / args.idle * 100 for pid in pids]
        rss = [rss_mib(pid) for pid in pids]
        print(f"\n {len(pids)} idle guests: RSS MiB (min med max) {spread(rss)}; "
              f"CPU % of one core (min med max) {spread(cpu)}")
        delete_all(demo, last)


if __name__ == "__main__":
    main()
