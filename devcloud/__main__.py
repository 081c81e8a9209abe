"""python -m devcloud [--host H] [--port 5000] [--console-port 6080] [--spice-port 6082]
                      [--state-dir DIR]
                      [--clouds-yaml FILE] [--build-delay S] [--reset] [--qemu] [--guests tiny]
                      [--no-volume]

DEVCLOUD_SERVICES=compute,network,... (the services to serve; default all) leaves out the
optional ones not named, as --no-volume leaves out Cinder.
"""

import argparse
import asyncio
import logging
import os
import shutil
import signal
from pathlib import Path

from aiohttp import web

from .app import build_app
from .cloud import OPTIONAL, Cloud, Config
from .clouds_yaml import write as write_clouds_yaml
from .store import Store

log = logging.getLogger("devcloud")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="devcloud", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--public-host", default=None,
                   help="host name in the catalog and console URLs (default: --host)")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--console-port", type=int, default=6080)
    p.add_argument("--spice-port", type=int, default=6082,
                   help="SPICE console proxy (spice-html5), with --qemu")
    p.add_argument("--state-dir", type=Path, default=Path(".devcloud"))
    p.add_argument("--clouds-yaml", type=Path, default=Path("clouds.yaml"))
    p.add_argument("--build-delay", type=float, default=2.0,
                   help="seconds a server stays in BUILD (default 2)")
    p.add_argument("--reset", action="store_true", help="start from a clean state")
    p.add_argument("--qemu", action="store_true",
                   help="back servers with a diskless qemu for real VNC and SPICE")
    p.add_argument("--guests", choices=["none", "tiny"], default="none",
                   help="back servers with a tiny real Linux guest under qemu")
    p.add_argument("--compute-hosts", type=int, default=1,
                   help="compute hosts (default 1: devcloud; more are idle compute01 ...)")
    p.add_argument("--notifications", default="", metavar="URL",
                   help="send Nova's, Neutron's and Cinder's notifications to this bus (rabbit://user:pass@host:5672/)")
    p.add_argument("--no-volume", action="store_true",
                   help="no Cinder: none in the catalog, /volume answers 404")
    return p.parse_args(argv)


def left_out(args: argparse.Namespace, environ=os.environ) -> tuple:
    """The optional services not served: --no-volume, or those DEVCLOUD_SERVICES (a comma
    list of service names or catalog types) does not name."""
    out = {"volume"} if args.no_volume else set()
    named = environ.get("DEVCLOUD_SERVICES", "").strip()
    if named:
        wanted = {n.strip().lower() for n in named.split(",") if n.strip()}
        aliases = {"volume": {"volume", "volumev3", "block-storage", "cinder"}}
        out |= {s for s in OPTIONAL if not wanted & aliases[s]}
    return tuple(sorted(out))


async def serve(args: argparse.Namespace) -> None:
    if args.reset and args.state_dir.exists():
        shutil.rmtree(args.state_dir)
    config = Config(host=args.host, public_host=args.public_host, port=args.port,
                    console_port=args.console_port, spice_port=args.spice_port,
                    state_dir=args.state_dir, build_delay=args.build_delay,
                    qemu=args.qemu, guests=args.guests,
                    compute_hosts=args.compute_hosts, notifications=args.notifications,
                    left_out=left_out(args))
    # Signals first: a stop that arrives while services start must still save the state.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    store = Store(args.state_dir)
    loaded = store.load()
    cloud = Cloud(config=config, store=store)
    app = build_app(cloud)
    if not loaded:
        for name in ("identity", "image", "network", "compute"):
            service = cloud.services.get(name)
            if hasattr(service, "seed"):
                service.seed()
        store.save()
    auth_url = f"{cloud.base_url}/v3"
    write_clouds_yaml(args.clouds_yaml, auth_url)

    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, args.host, args.port).start()
    for service in cloud.services.values():
        if hasattr(service, "start"):
            await service.start()
    saver = asyncio.create_task(store.saver())
    without = f" (without: {', '.join(config.left_out)})" if config.left_out else ""
    print(f"devcloud: Keystone at {auth_url}, clouds.yaml at {args.clouds_yaml}{without}",
          flush=True)

    await stop.wait()
    saver.cancel()
    store.save()  # before stopping children, which may take a while
    for service in cloud.services.values():
        if hasattr(service, "stop"):
            await service.stop()
    store.save()
    await runner.cleanup()


def main(argv=None) -> None:
    logging.basicConfig(level=logging.INFO, format="devcloud %(levelname)s %(message)s")
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
