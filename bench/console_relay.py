"""The console relay's cost: throughput and added latency against websockify alone (the
same VNC server, one run), then 100 concurrent console sessions: memory and CPU of the web
process. Loopback only; devcloud and the web process (`python -m portal.serve`) started
here on free ports, stopped after.

    .venv/bin/python -m bench.console_relay [--frames 150] [--rounds 7] [--pings 200]
        [--sessions 100] [--servers 10] [--seconds 10]

Throughput: full 720x400 32-bpp Raw frames (1.15 MB each), one request at a time.
Latency: a 1x1 non-incremental FramebufferUpdateRequest and its 16-byte answer, one at a time.
"""

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")

from consoles.upstream import proxy_target  # noqa: E402
from devcloud import testing  # noqa: E402
from tests.conftest import DEVCLOUD_ACCOUNTS, CloudTarget, run_portal  # noqa: E402
from tests.consoles import live  # noqa: E402
from tests.rfb import RFBClient  # noqa: E402


def pct(values, p) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


async def throughput(client: RFBClient, frames: int, trees=()) -> tuple[float, list[float]]:
    """MB/s, and the CPU milliseconds each process tree in `trees` spent per MB."""
    # One request at a time: an RFB server may answer several pending requests with one
    # update (devcloud's does), so pipelining would not count frames reliably.
    await client.request(False)
    await client.read_update()                       # warm
    cpu0 = [tree.cpu_seconds() for tree in trees]
    start_bytes, t0 = client.received, time.perf_counter()
    for _ in range(frames):
        await client.request(False)
        await client.read_update()
    mb = (client.received - start_bytes) / 1e6
    elapsed = time.perf_counter() - t0
    return mb / elapsed, [(tree.cpu_seconds() - before) * 1000 / mb
                          for tree, before in zip(trees, cpu0, strict=True)]


async def latency(client: RFBClient, pings: int) -> list[float]:
    out = []
    for _ in range(pings):
        t = time.perf_counter()
        await client.request(False, 0, 0, 1, 1)
        await client.read_update()
        out.append(time.perf_counter() - t)
    return out


async def via_websockify(cloud, server_id) -> RFBClient:
    conn = cloud.connect("alice")
    url = conn.compute.create_console(server_id, console_type="novnc")["url"]
    target = proxy_target(url)
    client = await RFBClient.websocket(target.url, origin=target.origin)
    await client.handshake()
    return client


async def via_portal(portal, session, server_id) -> RFBClient:
    page = session.get(f"{portal.url}/consoles/{server_id}/")
    page.raise_for_status()
    client = await RFBClient.websocket(live.ws_url(portal, live.ws_path(page.text)),
                                 origin=portal.url, headers=live.cookie_header(session))
    await client.handshake()
    return client


async def compare(cloud, portal, session, server_id, frames, pings, rounds) -> None:
    """Alternate websockify alone and the portal, `rounds` times each, on fresh sessions.
    The throughput ratio is the median of each round's pair (portal / websockify, measured
    back to back), so a slow drift of a shared 2-core machine cancels out; CPU per MB is
    that of the process trees, which scheduling does not change."""
    web, proxy = ProcessTree(portal.process.pid), ProcessTree(*console_proxy_pids())
    openers = {"websockify": lambda: via_websockify(cloud, server_id),
               "portal": lambda: via_portal(portal, session, server_id)}
    mbps = {k: [] for k in openers}
    rtts = {k: [] for k in openers}
    cpu = {"websockify": [], "portal web": [], "portal websockify": []}
    for _ in range(rounds):
        for label, opener in openers.items():
            client = await opener()
            rate, (web_ms, proxy_ms) = await throughput(client, frames, (web, proxy))
            mbps[label].append(rate)
            if label == "portal":
                cpu["portal web"].append(web_ms)
                cpu["portal websockify"].append(proxy_ms)
            else:
                cpu["websockify"].append(proxy_ms)
            rtts[label].extend(await latency(client, pings))
            await client.close()
    ws_mbps, p_mbps = statistics.median(mbps["websockify"]), statistics.median(mbps["portal"])
    ratios = [p / w for p, w in zip(mbps["portal"], mbps["websockify"], strict=True)]
    ws_rtt, p_rtt = rtts["websockify"], rtts["portal"]
    med = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"throughput (median of {rounds}): websockify alone {ws_mbps:.1f} MB/s, through "
          f"the portal {p_mbps:.1f} MB/s; portal/websockify per round: median "
          f"{statistics.median(ratios) * 100:.0f}% (min {min(ratios) * 100:.0f}%, max "
          f"{max(ratios) * 100:.0f}%)")
    print(f"CPU per MB relayed (median): websockify alone {med['websockify']:.2f} ms; "
          f"through the portal: web process {med['portal web']:.2f} ms + websockify "
          f"{med['portal websockify']:.2f} ms")
    print(f"round trip ({len(p_rtt)} each): websockify alone p50 {pct(ws_rtt, .5):.2f} ms "
          f"p95 {pct(ws_rtt, .95):.2f} ms; portal p50 {pct(p_rtt, .5):.2f} ms p95 "
          f"{pct(p_rtt, .95):.2f} ms; added p50 {pct(p_rtt, .5) - pct(ws_rtt, .5):.2f} ms "
          f"p95 {pct(p_rtt, .95) - pct(ws_rtt, .95):.2f} ms")


class ProcessTree:
    """Processes and their children (an ASGI server may fork workers; websockify forks one
    child per connection, and the CPU of children it reaped counts with it)."""

    def __init__(self, *pids: int):
        self.roots = [psutil.Process(pid) for pid in pids]

    def all(self) -> list[psutil.Process]:
        return [p for root in self.roots for p in (root, *root.children(recursive=True))]

    def rss(self) -> int:
        return sum(p.memory_info().rss for p in self.all())

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in self.all():
            try:
                t = p.cpu_times()
            except psutil.NoSuchProcess:        # a connection's child that just ended
                continue
            total += t.user + t.system
            if p in self.roots:
                total += t.children_user + t.children_system
        return total


def console_proxy_pids() -> list[int]:
    """devcloud's console proxies (websockify), started by this run's devcloud."""
    procs = [p for p in psutil.process_iter(["cmdline", "ppid"])
             if "devcloud.novncproxy" in " ".join(p.info["cmdline"] or [])]
    pids = {p.pid for p in procs}
    return [p.pid for p in procs if p.info["ppid"] not in pids]


async def concurrent(portal, session, server_ids, sessions: int, seconds: float) -> None:
    web = ProcessTree(portal.process.pid)
    rss0 = web.rss()
    t0 = time.perf_counter()
    clients = []
    for i in range(sessions):
        clients.append(await via_portal(portal, session, server_ids[i % len(server_ids)]))
    opened = time.perf_counter() - t0
    for c in clients:                                       # first full frame each
        await c.request(False)
    await asyncio.gather(*(c.read_update() for c in clients))
    rss_open = web.rss()
    # Idle: open, nothing moving.
    cpu, wall = web.cpu_seconds(), time.perf_counter()
    await asyncio.sleep(5)
    idle_cpu = (web.cpu_seconds() - cpu) / (time.perf_counter() - wall) * 100
    # Interactive: each session types a key and waits for the screen to change, once a
    # second. Every other key is Return: sessions sharing a server share its input line,
    # which stops echoing when full.
    echoes, lost = [], 0

    async def typist(client: RFBClient, i: int):
        nonlocal lost
        await asyncio.sleep(i / sessions)                  # spread over the second
        end = time.perf_counter() + seconds
        n = 0
        while time.perf_counter() < end:
            t = time.perf_counter()
            await client.request(True)
            await client.press(0xFF0D if n % 2 else ord("a") + i % 26)
            n += 1
            try:
                await asyncio.wait_for(client.read_update(), timeout=5)
            except TimeoutError:
                lost += 1
                return
            echoes.append(time.perf_counter() - t)
            await asyncio.sleep(max(0, 1 - (time.perf_counter() - t)))
    cpu, wall = web.cpu_seconds(), time.perf_counter()
    await asyncio.gather(*(typist(c, i) for i, c in enumerate(clients)))
    busy_cpu = (web.cpu_seconds() - cpu) / (time.perf_counter() - wall) * 100
    rss_busy = web.rss()
    for c in clients:
        await c.close()
    print(f"{sessions} concurrent sessions (opened in {opened:.1f} s, each page one Nova "
          f"call): web process RSS {rss0 / 2**20:.0f} MiB before, {rss_open / 2**20:.0f} MiB "
          f"open (+{(rss_open - rss0) / sessions / 1024:.0f} KiB/session), "
          f"{rss_busy / 2**20:.0f} MiB after typing")
    print(f"  CPU of the web process: idle {idle_cpu:.1f}% ; all {sessions} typing 1 key/s "
          f"{busy_cpu:.1f}% of one core; keystroke→echo p50 {pct(echoes, .5):.1f} ms "
          f"p95 {pct(echoes, .95):.1f} ms ({len(echoes)} keys, {lost} sessions without an echo)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--mode", choices=["proxy", "direct"], default="proxy",
                    help="the portal's PORTAL_CONSOLE_MODE")
    ap.add_argument("--pings", type=int, default=200, help="per round")
    ap.add_argument("--sessions", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--servers", type=int, default=10, help="sessions are spread over them")
    args = ap.parse_args()
    # Bounded, and a TERM still stops devcloud and the web process (the with-blocks' exits run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with testing.running(tmp / "devcloud" / "state", "--build-delay", "0.2") as dc:
            cloud = CloudTarget(name="devcloud", auth_url=dc.auth_url,
                                clouds_yaml=dc.clouds_yaml, service_cloud="devcloud-portal",
                                accounts=DEVCLOUD_ACCOUNTS, devcloud=dc)
            (tmp / "portal").mkdir()
            with run_portal(cloud, tmp / "portal", LOG_LEVEL="WARNING",
                            PORTAL_CONSOLE_MODE=args.mode,
                            PORTAL_CONSOLE_MAX_PER_USER=str(args.sessions + 10)) \
                    as portal, contextlib.ExitStack() as stack:
                servers = [stack.enter_context(live.server(
                    cloud, "alice", name=f"bench-{uuid.uuid4().hex[:4]}"))
                    for _ in range(args.servers)]
                srv = servers[0]
                session = portal.login("alice", cloud)
                print(f"portal console mode {args.mode}; web process pid {portal.process.pid}; "
                      f"{psutil.cpu_count()} CPUs")
                asyncio.run(asyncio.wait_for(compare(
                    cloud, portal, session, srv.id, args.frames, args.pings, args.rounds),
                    timeout=300))
                asyncio.run(asyncio.wait_for(concurrent(
                    portal, session, [s.id for s in servers], args.sessions, args.seconds),
                    timeout=300))


if __name__ == "__main__":
    main()
