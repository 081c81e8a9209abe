"""How late an image made, changed or deleted outside the portal reaches an open images
page, and what the images poller's one Glance list per tick costs:

    .venv/bin/python bench/live_images.py [--samples 20] [--images 200]

1. CLI change → browser row: images made (a queued record), uploaded (1 KiB: active)
   and deleted with openstacksdk (as the `openstack` CLI does), at random moments of the
   poll's second; latency = when a /ws/events/ listener got the row with the new status
   (or its removal) − when the SDK call returned.
2. The poll's call: `GET /v2/images?visibility=all&limit=1000&sort_key=updated_at` (what
   images/poller.py sends each second) timed and weighed with the cloud's images plus
   `--images` more.

devcloud of its own, portal (uvicorn) and Celery worker+beat on loopback, Redis db 9
(flushed: BENCH_REDIS_URL) and a Celery queue of its own; as demo in project demo;
everything made is deleted.
"""

import argparse
import os
import random
import re
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

# A Redis database and a Celery queue of its own: another bench's worker on the same
# Redis would take this one's poll tasks.
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
QUEUE = f"bench-images-{os.getpid()}"
sys.path.insert(0, str(Path(__file__).resolve().parent))
import live_cost  # noqa: E402
import vmsbench  # noqa: E402
from openstack.image.v2.image import Image  # noqa: E402

# (image id, "delete" for a removal, else the row's status)
vmsbench.ROW = re.compile(r'<tr id="image-([0-9a-f-]{36})"[^>]*?'
                          r'(?:hx-swap-oob="(?=delete")|data-status=")(\w+)"')


def record(conn, name: str):
    return conn.image.create_image(name=name, disk_format="raw", container_format="bare",
                                   data=None, allow_duplicates=True, wait=False)


def arrival(ws, seen: int, image_id: str, what: str, label: str) -> float:
    return live_cost.wait(lambda: next((t for t, iid, st in ws.events[seen:]
                                        if iid == image_id and st == what), None),
                          60, label)


def primed() -> None:
    """The poller's first tick only learns what there is: no sample before it has run (a
    loaded machine's worker takes its seconds to start)."""
    import redis

    r = redis.Redis.from_url(vmsbench.REDIS_URL)
    live_cost.wait(lambda: r.keys("stackport:images:poll:*:seen"), 120, "first images poll",
                   step=0.5)


def latency(conn, url: str, session, samples: int) -> None:
    made, active, gone = [], [], []
    with vmsbench.Listener(url, session) as ws:
        primed()
        for _ in range(samples):
            time.sleep(random.uniform(0.2, 1.2))
            seen = len(ws.events)
            image = record(conn, f"li-{uuid.uuid4().hex[:6]}")
            sent = time.time()
            made.append(arrival(ws, seen, image.id, "queued", "queued row") - sent)
            time.sleep(random.uniform(0.2, 1.2))
            seen = len(ws.events)
            Image.existing(id=image.id, data=b"\0" * 1024).upload(conn.image)
            sent = time.time()
            active.append(arrival(ws, seen, image.id, "active", "active row") - sent)
            time.sleep(random.uniform(0.2, 1.2))
            seen = len(ws.events)
            conn.image.delete_image(image.id)
            sent = time.time()
            gone.append(arrival(ws, seen, image.id, "delete", "removal") - sent)
    print(f"CLI change → browser row, polling alone, devcloud ({samples} images):")
    print(f"  made     → queued row:  {vmsbench.summary(made)}")
    print(f"  uploaded → active row:  {vmsbench.summary(active)}")
    print(f"  deleted  → row removed: {vmsbench.summary(gone)}")


def poll_cost(admin, conn, extra: int) -> None:
    made = [record(conn, f"lic-{n}-{uuid.uuid4().hex[:4]}").id for n in range(extra)]
    try:
        query = {"visibility": "all", "limit": 1000, "sort_key": "updated_at",
                 "sort_dir": "desc"}
        took, size, count = [], 0, 0
        for _ in range(20):
            started = time.perf_counter()
            resp = admin.image.get("/images", params=query)
            took.append(time.perf_counter() - started)
            size, count = len(resp.content), len(resp.json()["images"])
        print(f"the poll's Glance list, {count} images: {size / 1024:.0f} KiB, "
              f"{vmsbench.summary(took)} (20 calls)")
    finally:
        for image_id in made:
            conn.image.delete_image(image_id)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--images", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as es:
        st = es.enter_context(vmsbench.stack(Path(tmp), PORTAL_CELERY_QUEUE=QUEUE,
                                             **live_cost.LIVE_ENV))
        conn = vmsbench.connect(st["dc"], "devcloud-demo")
        session = vmsbench.login(st["url"])
        latency(conn, st["url"], session, args.samples)
        poll_cost(vmsbench.connect(st["dc"], "devcloud-admin"), conn, args.images)


if __name__ == "__main__":
    main()
