"""Figures for devcloud's consoles: frame size, full-frame time, keystroke-to-echo latency,
through websockify and direct, and the time to a first frame.

    .venv/bin/python -m bench.devcloud_consoles
"""

import asyncio
import tempfile
import time
from pathlib import Path

from devcloud import testing
from tests.devcloud.nova import Client
from tests.devcloud.nova_consoles import remote_console, token_of, ws_url_of  # noqa: E402
from tests.rfb import RFBClient


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


async def measure(client: RFBClient, label: str, keys: int = 200) -> None:
    full = []
    for _ in range(20):
        t = time.perf_counter()
        await client.request(False)
        rects = await client.read_update()
        full.append(time.perf_counter() - t)
    size = sum(len(r[4]) for r in rects) + 4 + 12 * len(rects)
    echo = []
    for i in range(keys):
        await client.request(True)
        t = time.perf_counter()
        await client.key(ord("a") + i % 26)
        await client.key(ord("a") + i % 26, down=False)
        await client.read_update()
        echo.append(time.perf_counter() - t)
        if i % 60 == 59:
            await client.key(0xFF0D)
    print(f"{label:10} full frame {size} B: p50 {pct(full, .5):.1f} ms, p95 "
          f"{pct(full, .95):.1f} ms | key->echo update p50 {pct(echo, .5):.2f} ms, "
          f"p95 {pct(echo, .95):.2f} ms")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, \
            testing.running(Path(tmp) / "state", "--build-delay", "0.2") as cloud:
        demo, admin = Client(cloud, "demo"), Client(cloud, "admin")
        (server,) = demo.boot("bench-console", networks="auto")
        demo.wait(server["id"], "ACTIVE")
        t = time.perf_counter()
        url = remote_console(demo, server["id"]).json()["remote_console"]["url"]
        ws = await RFBClient.websocket(ws_url_of(url))
        await ws.handshake()
        await ws.request(False)
        await ws.read_update()
        print(f"first console: remote-consoles + websocket + RFB handshake + first frame "
              f"{(time.perf_counter() - t) * 1000:.0f} ms (VNC server started lazily)")
        await measure(ws, "websockify")
        body = admin.nova("GET", f"/os-console-auth-tokens/{token_of(url)}",
                          mv="2.31").json()["console"]
        tcp = await RFBClient.tcp(body["host"], body["port"])
        await tcp.handshake()
        await measure(tcp, "direct")
        await ws.close()
        await tcp.close()
        demo.delete_all([server])


if __name__ == "__main__":
    asyncio.run(main())
