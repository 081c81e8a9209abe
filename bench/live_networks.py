"""How late a network made or deleted outside the portal reaches an open networks page,
by polling alone and with the notification listener:

    .venv/bin/python bench/live_networks.py                     # devcloud (its own; polling)
    .venv/bin/python bench/live_networks.py --cloud realcloud   # ../shared/realcloud, both
        [--samples 20]

Networks made and deleted with openstacksdk (as the `openstack` CLI does), at random
moments of the poll's second; latency = when a /ws/events/ listener got the row (or its
removal) − when the SDK call returned. With notifications (real cloud: its RabbitMQ at
127.0.0.1:5672): `manage.py listen_notifications` runs beside the worker, and Neutron's
network.create.end / network.delete.end kick the poll. Own portal, worker and beat on
loopback (Redis db 14, flushed); everything made is deleted.
"""

import argparse
import random
import re
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import live_cost  # noqa: E402
import vmsbench  # noqa: E402

BUS = "rabbit://guest:guest@127.0.0.1:5672/"
# (network id, "delete" for a removal, else "data-live-row" for a row)
vmsbench.ROW = re.compile(r'<tr id="network-([0-9a-f-]{36})"[^>]*?'
                          r'(hx-swap-oob="delete"|data-live-row)')


def latency(conn, url: str, session, samples: int, label: str) -> None:
    made, gone = [], []
    with vmsbench.Listener(url, session) as ws:
        for _ in range(samples):
            time.sleep(random.uniform(0.2, 1.2))
            seen = len(ws.events)
            net = conn.network.create_network(name=f"ln-{uuid.uuid4().hex[:6]}")
            sent = time.time()
            arrived = live_cost.wait(lambda net=net, seen=seen: next(
                (t for t, nid, what in ws.events[seen:] if nid == net.id
                 and what != 'hx-swap-oob="delete"'), None), 90, f"{net.name} row")
            made.append(arrived - sent)
            time.sleep(random.uniform(0.2, 1.2))
            seen = len(ws.events)
            conn.network.delete_network(net)
            sent = time.time()
            arrived = live_cost.wait(lambda net=net, seen=seen: next(
                (t for t, nid, what in ws.events[seen:] if nid == net.id
                 and what == 'hx-swap-oob="delete"'), None), 90, f"{net.name} removal")
            gone.append(arrived - sent)
    print(f"CLI change → browser row, {label} ({samples} networks):")
    print(f"  made    → row shown:   {vmsbench.summary(made)}")
    print(f"  deleted → row removed: {vmsbench.summary(gone)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cloud", choices=["devcloud", "realcloud"], default="devcloud")
    ap.add_argument("--samples", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as es:
        tmp = Path(tmp)
        if args.cloud == "devcloud":
            st = es.enter_context(vmsbench.stack(tmp, **live_cost.LIVE_ENV))
            conn = vmsbench.connect(st["dc"], "devcloud-demo")
        else:
            st = es.enter_context(live_cost.real_stack(tmp))
            import openstack

            config = openstack.config.OpenStackConfig(
                config_files=[str(live_cost.REALCLOUD / "clouds.yaml")])
            conn = openstack.connection.Connection(config=config.get_one(cloud="os-demo"))
        session = vmsbench.login(st["url"])
        latency(conn, st["url"], session, args.samples, f"polling alone, {args.cloud}")
        if args.cloud == "realcloud":
            with live_cost.listening(st["env"], tmp, BUS):
                latency(conn, st["url"], session, args.samples,
                        f"with notifications, {args.cloud}")


if __name__ == "__main__":
    main()
