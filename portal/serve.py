"""The web process: uvicorn serving portal.asgi (HTTP and WebSockets). One command for the
Procfile, the image, compose, the tests and the benchmarks, so they all run the same server
with the same options:

    python -m portal.serve [--host 127.0.0.1] [--port 8000]      (or WEB_HOST / WEB_PORT)

Why uvicorn (with uvloop, httptools and its websockets-sansio protocol): the console relay is the
heaviest thing the web process does, and bench/console_relay.py put it at 86% of websockify's
throughput under uvicorn against 75% under daphne, with less CPU for 100 open sessions.

- WebSockets use uvicorn's websockets-sansio protocol with one fix (portal/wsprotocol.py):
  an upgrade refused while parsing (request line or a header over 8 KB) gets its 414/431.
- permessage-deflate is off: browsers offer it, and compressing console frames (already
  compact or incompressible RFB/SPICE data) would cost far more CPU than it saves on a LAN.
- lifespan is off: Django and Channels have no startup/shutdown hooks to run.
- X-Forwarded-For / -Proto are trusted only from the proxies named in FORWARDED_ALLOW_IPS
  (comma-separated addresses or networks); unset, from nobody. uvicorn's own default trusts
  127.0.0.1, so any client on the portal's host could name itself a new address on every
  login attempt and never be throttled; the portal does not run behind a proxy unless
  it is told so.
"""

import argparse
import os
import sys

import uvicorn

from portal import logs
from portal.wsprotocol import PortalWebSocketProtocol

# On stop, open consoles and event sockets get this long to close before they are cut.
GRACE = 5


def command(port: int, host: str = "127.0.0.1") -> list[str]:
    """The argv that starts this web process (tests and benchmarks start it so)."""
    return [sys.executable, "-m", "portal.serve", "--host", host, "--port", str(port)]


def forwarded_allow_ips() -> str:
    """The proxies whose X-Forwarded-* headers are believed ("" = none)."""
    return os.environ.get("FORWARDED_ALLOW_IPS", "").strip()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m portal.serve", description=__doc__.split("\n")[0])
    ap.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8000")))
    args = ap.parse_args(argv)
    _check_settings()
    proxies = forwarded_allow_ips()
    uvicorn.run("portal.asgi:application", host=args.host, port=args.port,
                loop="uvloop", http="httptools",
                # websockets-sansio, answering the handshakes it refuses while parsing
                ws=PortalWebSocketProtocol,
                ws_per_message_deflate=False, lifespan="off", server_header=False,
                timeout_graceful_shutdown=GRACE,
                proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None,
                # the portal's log format; one line per request is portal.request's
                log_config=logs.uvicorn_config(), access_log=False)


def _check_settings() -> None:
    """A wrong clouds.yaml, cloud or console mode stops the web here (portal/checks.py)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from portal import checks

    checks.at_start("web")


if __name__ == "__main__":
    main()
