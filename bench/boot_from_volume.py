"""Boot from a new volume (block_device_mapping_v2: the image to a 1 GB volume, deleted on
termination): time from POST /servers to ACTIVE, p50/p95 over a few boots, on devcloud
(its own, at `make demo`'s build delay) and on the real cloud of ../shared/realcloud (the
demo project); and the states each boot passed through as a 0.1 s poll saw them (what the
server's timeline is made from: scheduling, networking, block_device_mapping, ACTIVE),
with when each was first seen.

    .venv/bin/python bench/boot_from_volume.py [--boots 5] [--cloud devcloud|realcloud|both]

openstacksdk, as the portal calls it. Deletes the servers, and so their volumes.
Measured (2026-12-01, 2 cores shared with other helpers' test runs): devcloud p50 4.46 s,
p95 4.56 s (scheduling → networking → block_device_mapping +1.1 s → spawning +3.2 s →
ACTIVE +4.6 s); real cloud p50 19.70 s, p95 22.86 s, min 10.6 s (block_device_mapping
from +5 s: Cinder makes the volume, Nova waits for it and attaches it).
"""

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import openstack
import openstack.config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.vmsbench import pct  # noqa: E402
from devcloud import testing  # noqa: E402
from tests import realcloud  # noqa: E402

POLL = 0.1


def boot_once(conn, name: str, image_id: str, flavor_id: str) -> tuple[float, list]:
    """(seconds to ACTIVE, [(state, seconds when first seen)]) for one boot."""
    bdm = [{"boot_index": 0, "uuid": image_id, "source_type": "image",
            "destination_type": "volume", "volume_size": 1, "delete_on_termination": True}]
    t0 = time.monotonic()
    server = conn.compute.create_server(name=name, flavor_id=flavor_id, image_id="",
                                        networks="none", block_device_mapping=bdm)
    seen: list = []
    try:
        while time.monotonic() - t0 < 180:
            s = conn.compute.get_server(server.id)
            state = s.status if s.status != "BUILD" else f"BUILD/{s.task_state}"
            if not seen or seen[-1][0] != state:
                seen.append((state, time.monotonic() - t0))
            if s.status in ("ACTIVE", "ERROR"):
                break
            time.sleep(POLL)
        if seen[-1][0] != "ACTIVE":
            raise SystemExit(f"{name} ended {seen[-1][0]}: {s.fault}")
        return seen[-1][1], seen
    finally:
        conn.compute.delete_server(server.id)
        conn.compute.wait_for_delete(server, wait=120)


def run(label: str, conn, boots: int) -> None:
    image_id = conn.image.find_image("cirros").id
    flavor_id = conn.compute.find_flavor("1").id
    times, shapes = [], Counter()
    example = None
    for i in range(boots):
        took, seen = boot_once(conn, f"bench-bfv-{i}", image_id, flavor_id)
        times.append(took * 1000)
        shapes[" → ".join(state for state, _ in seen)] += 1
        example = example or seen
    print(f"{label}: {boots} boots from a new 1 GB volume, POST → ACTIVE "
          f"p50 {pct(times, 50) / 1000:.2f} s  p95 {pct(times, 95) / 1000:.2f} s  "
          f"(min {min(times) / 1000:.2f}, max {max(times) / 1000:.2f})")
    for shape, n in shapes.most_common():
        print(f"  {n}× {shape}")
    print("  first boot: " + ", ".join(f"{state} +{at:.2f}s" for state, at in example))


def devcloud_conn(tmp: Path, delay: str):
    return testing.running(tmp / "state", "--build-delay", delay)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--boots", type=int, default=5)
    p.add_argument("--cloud", choices=["devcloud", "realcloud", "both"], default="both")
    p.add_argument("--build-delay", default="2.0", help="devcloud's (make demo's: 2.0)")
    args = p.parse_args()
    if args.cloud in ("devcloud", "both"):
        with tempfile.TemporaryDirectory() as tmp, devcloud_conn(Path(tmp),
                                                                 args.build_delay) as dc:
            config = openstack.config.OpenStackConfig(config_files=[str(dc.clouds_yaml)])
            conn = openstack.connection.Connection(config=config.get_one(
                cloud="devcloud-demo"))
            run(f"devcloud (build delay {args.build_delay} s)", conn, args.boots)
    if args.cloud in ("realcloud", "both"):
        config = openstack.config.OpenStackConfig(
            config_files=[str(realcloud.clouds_yaml(realcloud.REALCLOUD_DIR))])
        conn = openstack.connection.Connection(config=config.get_one(cloud="os-demo"))
        run("real cloud (Nova 34, Cinder 29, fake drivers)", conn, args.boots)


if __name__ == "__main__":
    main()
