"""python -m devcloud.novncproxy: websockify as Nova runs it (nova-novncproxy, spicehtml5proxy).

The real `websockify` package does the work. Like Nova's proxy, this subclasses websockify's
request handler for two things:
- the token in `?token=` is resolved by websockify's JSONTokenApi plugin against devcloud's
  loopback route, which answers only for live tokens (expiry and deletion take effect at once,
  with no token file to rewrite);
- the Origin check Nova does (nova/console/websocketproxy.py): no Origin is fine (not a
  browser); otherwise its host must equal the Host header's host (or be in
  --allowed-origin, Nova's [console] allowed_origins) and its scheme must be the proxy's
  (http here; X-Forwarded-Proto overrides). Refused before any byte reaches the console.

The process dies with devcloud (PR_SET_PDEATHSIG) and websockify ends its per-connection
children on SIGTERM.
"""

import argparse
import logging
import multiprocessing
import os
import sys
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlencode, urlparse

from websockify import token_plugins, websocketproxy

from .children import die_with_parent


class NovaProxyRequestHandler(websocketproxy.ProxyRequestHandler):
    allowed_origins: tuple[str, ...] = ()
    scheme = "http"

    def validate_connection(self):
        # Nova's order: the token first (query, else noVNC's `token` cookie), then Origin.
        self.token_from_cookie()
        super().validate_connection()
        self.check_origin()

    def token_from_cookie(self) -> None:
        if "token" in parse_qs(urlparse(self.path).query):
            return
        cookie = SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie") or "")
        except CookieError:
            return
        if "token" in cookie:
            sep = "&" if "?" in self.path else "?"
            self.path += f"{sep}{urlencode({'token': cookie['token'].value})}"

    def check_origin(self) -> None:
        origin = self.headers.get("Origin")
        if origin is None:
            return
        expected_host = urlparse("//" + (self.headers.get("Host") or "")).hostname
        parsed = urlparse(origin)
        scheme = self.headers.get("X-Forwarded-Proto") or parsed.scheme
        if not parsed.hostname or not scheme:
            raise self.server.EClose("Origin header not valid.")
        if parsed.hostname != expected_host and parsed.hostname not in self.allowed_origins:
            raise self.server.EClose("Origin header does not match this host.")
        if scheme != self.scheme:
            raise self.server.EClose("Origin header protocol does not match this host.")


class NovaWebSocketProxy(websocketproxy.WebSocketProxy):
    def do_SIGTERM(self, sig, stack):
        # websockify raises an exception out of its signal handler, which a SIGTERM landing
        # mid-fork can swallow (then later ones are ignored and stop() waits for SIGKILL).
        # End the per-connection children and leave at once; forked children inherit this
        # handler and simply end their one connection.
        for child in multiprocessing.active_children():
            child.terminate()
        os._exit(0)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="devcloud.novncproxy")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token-source", required=True,
                   help="URL with %%s for the token, answering {host, port} for live tokens")
    p.add_argument("--web", default="", help="static files to serve (noVNC, spice-html5)")
    p.add_argument("--allowed-origin", action="append", default=[])
    p.add_argument("--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv=None) -> None:
    die_with_parent()
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="novncproxy %(message)s", stream=sys.stderr)
    handler = type("Handler", (NovaProxyRequestHandler,),
                   {"allowed_origins": tuple(args.allowed_origin)})
    server = NovaWebSocketProxy(
        RequestHandlerClass=handler, listen_host=args.host, listen_port=args.port,
        token_plugin=token_plugins.JSONTokenApi(args.token_source),
        web=args.web, file_only=True, verbose=args.verbose, heartbeat=0)
    server.start_server()


if __name__ == "__main__":
    main()
