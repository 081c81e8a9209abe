"""devcloud's consoles: what stands behind Nova's remote-consoles and console auth tokens.

Nova (devcloud/compute) calls, on cloud.services["consoles"]:
    attach(server)            a server exists (BUILD): remember it, start nothing yet
    detach(server_id)         deleted: close its VNC server / qemu, invalidate its tokens
    set_text(server_id, text) its console log changed: the VNC screen shows the tail
    create_console(server, protocol, type_) -> {"protocol", "type", "url"}   (or CloudError)
    auth_token(token) -> {"instance_uuid", "host", "port", "internal_access_path"} | None

Endpoints start lazily, on a server's first console request, and live until detach: 10,000
servers must not mean 10,000 listening sockets. Plain mode: devcloud/vnc.py renders the
console text. `--qemu`: a diskless qemu per server (devcloud/qemu.py) gives real VNC and
SPICE, and only then are SPICE consoles offered.

Tokens are Nova's: a UUID, valid `token_ttl` seconds (Nova's [consoleauth] token_ttl, 600),
reusable until they expire, gone when the server is deleted. They are resolved by the real
websockify (devcloud/novncproxy.py, as nova-novncproxy) on --console-port, and a second one
on --spice-port for SPICE, through JSONTokenApi against the loopback-only route
GET /devcloud/console-tokens/{vnc|spice}/{token}. Why that and not websockify's TokenFile:
the route answers from the same dict Nova's API uses, so expiry and deletion are exact and
immediate, nothing has to be rewritten on disk per token, and it can hold the answer until a
just-started qemu listens.

Admin: GET /devcloud/consoles (counts, proxies, token_ttl), POST {"token_ttl": s}.
"""

import asyncio
import atexit
import ipaddress
import logging
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from . import children, qemu
from .cloud import CLOUD_KEY, Cloud
from .errors import CloudError
from .routes import public
from .vnc import Screen, VNCServer

log = logging.getLogger("devcloud.consoles")

ROOT = Path(__file__).resolve().parent.parent
TOKEN_TTL = 600                                   # Nova's [consoleauth] token_ttl
SPICE_DIRECT_BASE = "http://127.0.0.1:13002/nova"   # Nova's default [spice] direct proxy URL
GENERIC_400 = ("The server could not comply with the request since it is either malformed "
               "or otherwise incorrect.")
# The remote-consoles schema's enums (2.6; webmks from 2.8; spice-direct from 2.99).
PROTOCOLS = ["vnc", "spice", "serial", "rdp"]
TYPES = ["novnc", "xvpvnc", "spice-html5", "serial", "rdp-html5"]
WEB_DIRS = {  # static clients websockify serves, first found (like Nova's [vnc] novnc dir)
    "vnc": [ROOT / "node_modules/@novnc/novnc", Path("/usr/share/novnc")],
    "spice": [ROOT / "node_modules/@spice-project/spice-html5", Path("/usr/share/spice-html5")],
}
WEB_PAGES = {"vnc": "vnc_auto.html", "spice": "spice_auto.html"}


@dataclass
class Token:
    token: str
    server_id: str
    kind: str            # which proxy resolves it: "vnc" or "spice"
    console_type: str
    expires: float


@dataclass
class Console:
    """One server's console; `screen`, `vnc` and `guest` exist only once it was asked for."""

    server_id: str
    server: dict | None = None
    text: str = ""
    screen: Screen | None = None
    vnc: VNCServer | None = None
    guest: qemu.Guest | None = None
    tokens: set[str] = field(default_factory=set)

    @property
    def title(self) -> str:
        name = (self.server or {}).get("name") or ""
        return f"{name}  ({self.server_id})" if name else self.server_id


def _loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


class Consoles:
    def __init__(self, cloud: Cloud, clock=time.monotonic):
        self.cloud = cloud
        self.config = cloud.config
        self.clock = clock
        self.token_ttl = TOKEN_TTL
        self.consoles: dict[str, Console] = {}
        self.tokens: dict[str, Token] = {}
        self.use_qemu = bool(self.config.qemu) and qemu.binary() is not None
        self.proxies: dict[str, subprocess.Popen] = {}
        self._tasks: set[asyncio.Task] = set()
        self._last_sweep = clock()

    # --- addresses ---------------------------------------------------------------
    @property
    def bind_host(self) -> str:
        return self.config.host

    @property
    def local_host(self) -> str:
        """How processes on this machine (websockify) reach the consoles."""
        wildcard = self.config.host in ("0.0.0.0", "::", "")
        return "127.0.0.1" if wildcard else self.config.host

    @property
    def public_host(self) -> str:
        """How clients (console URLs, the portal's direct mode) reach us."""
        return self.config.public_host or self.local_host

    @property
    def spice_offered(self) -> bool:
        """SPICE needs qemu: --qemu's diskless guests or --guests tiny's real ones."""
        guests = self.cloud.services.get("guests")
        return self.use_qemu or bool(guests is not None and guests.enabled)

    @property
    def spice_port(self) -> int:
        return getattr(self.config, "spice_port", 6082)

    # --- what Nova calls ---------------------------------------------------------
    def attach(self, server: dict) -> None:
        console = self.consoles.setdefault(server["id"], Console(server["id"]))
        console.server = server

    def detach(self, server_id: str) -> None:
        console = self.consoles.pop(server_id, None)
        if console is None:
            return
        for token in console.tokens:
            self.tokens.pop(token, None)
        self._close(console)

    def set_text(self, server_id: str, text: str) -> None:
        console = self.consoles.setdefault(server_id, Console(server_id))
        console.text = text
        if console.screen:
            console.screen.set_title(console.title)
            console.screen.set_text(text)

    def create_console(self, server: dict, protocol: str, type_: str,
                       microversion: str | None = None) -> dict:
        """Nova's POST /servers/{id}/remote-consoles, after the server was found and the
        caller allowed. Errors are Nova's, as a 2026.2 Nova with VNC (and, with --qemu,
        SPICE) enabled and serial/RDP/MKS disabled answers them."""
        kind = self._check_type(protocol, type_, microversion)
        if server.get("status") == "BUILD":
            raise CloudError(409, f"Instance {server['id']} is not ready")
        self.attach(server)
        console = self.consoles[server["id"]]
        self._start_endpoint(console)
        self._sweep()
        token = str(uuid.uuid4())
        self.tokens[token] = Token(token, console.server_id, kind, type_,
                                   self.clock() + self.token_ttl)
        console.tokens.add(token)
        if type_ == "novnc":
            url = (f"http://{self.public_host}:{self.config.console_port}/vnc_auto.html"
                   f"?path={quote('?token=' + token, safe='')}")
        elif type_ == "spice-html5":
            url = f"http://{self.public_host}:{self.spice_port}/spice_auto.html?token={token}"
        else:  # spice-direct: the client goes to the host/port of os-console-auth-tokens
            url = f"{SPICE_DIRECT_BASE}?token={token}"
        return {"protocol": protocol, "type": type_, "url": url}

    def auth_token(self, token: str) -> dict | None:
        """Nova's GET /os-console-auth-tokens/{token} body (inside "console"), or None."""
        tok = self._live(token)
        if tok is None:
            return None
        port = self._port(self.consoles[tok.server_id], tok.kind)
        if port is None:
            return None
        body = {"instance_uuid": tok.server_id, "host": self.public_host, "port": port,
                "internal_access_path": None}
        if tok.console_type == "spice-direct":
            body["tls_port"] = None          # shown from 2.99; no TLS on loopback
        return body

    async def ready(self, server_id: str, timeout: float = 10.0) -> bool:
        """Wait until the server's console endpoint accepts connections (qemu starts in
        ~0.1 s; devcloud's own VNC server at once). Optional for callers of create_console."""
        console = self.consoles.get(server_id)
        if console is None:
            return False
        if console.guest is not None:
            if await console.guest.ready(timeout):
                return True
            self._guest_failed(console)
        return console.vnc is not None

    # --- checks --------------------------------------------------------------------
    def _check_type(self, protocol: str, type_: str, microversion: str | None) -> str:
        mv = tuple(int(p) for p in (microversion or "2.6").split("."))
        protocols = PROTOCOLS + (["mks"] if mv >= (2, 8) else [])
        types = TYPES + (["webmks"] if mv >= (2, 8) else []) + (
            ["spice-direct"] if mv >= (2, 99) else [])
        if protocol not in protocols:
            raise CloudError(400, f"Invalid input for field/attribute protocol. Value: "
                                  f"{protocol}. '{protocol}' is not one of {protocols}")
        if type_ not in types:
            raise CloudError(400, f"Invalid input for field/attribute type. Value: "
                                  f"{type_}. '{type_}' is not one of {types}")
        if protocol == "rdp":        # removed with the Hyper-V driver: a bare 400
            raise CloudError(400, GENERIC_400)
        if protocol in ("serial", "mks") or (protocol == "spice" and not self.spice_offered):
            raise CloudError(400, f"Unavailable console type {type_}.")
        if protocol == "vnc" and type_ != "novnc":
            raise CloudError(400, f"Invalid console type {type_}")
        if protocol == "spice" and type_ not in ("spice-html5", "spice-direct"):
            raise CloudError(400, f"Invalid console type {type_}")
        return "spice" if protocol == "spice" else "vnc"

    def _live(self, token: str) -> Token | None:
        tok = self.tokens.get(token)
        if tok is None:
            return None
        if tok.expires <= self.clock() or tok.server_id not in self.consoles:
            self._forget(tok)
            return None
        return tok

    def _forget(self, tok: Token) -> None:
        self.tokens.pop(tok.token, None)
        console = self.consoles.get(tok.server_id)
        if console:
            console.tokens.discard(tok.token)

    def _sweep(self) -> None:
        """Drop expired tokens now and then, so a long run does not collect them."""
        now = self.clock()
        if now - self._last_sweep < 60:
            return
        self._last_sweep = now
        for tok in [t for t in self.tokens.values() if t.expires <= now]:
            self._forget(tok)

    # --- endpoints -----------------------------------------------------------------
    def _start_endpoint(self, console: Console, plain: bool = False) -> None:
        guests = self.cloud.services.get("guests")
        if guests is not None and guests.enabled and guests.console_endpoint(console):
            return   # --guests tiny: the server's own guest serves VNC and SPICE
        if self.use_qemu and not plain:
            if console.guest is not None and console.guest.alive:
                return
            try:
                console.guest = qemu.launch(f"devcloud-{console.server_id}",
                                            host=self.local_host, log_dir=self._qemu_dir())
                return
            except OSError as err:
                log.warning("qemu for %s did not start (%s); plain console instead",
                            console.server_id, err)
        if console.vnc is None:
            console.screen = Screen(console.title)
            console.screen.set_text(console.text)
            console.vnc = VNCServer(console.screen, name=console.title)
            console.vnc.listen(self.bind_host)

    def _guest_failed(self, console: Console) -> None:
        log.warning("qemu for %s is not answering (%s); plain console instead",
                    console.server_id, console.guest.failure())
        self._run(asyncio.to_thread(console.guest.stop))
        console.guest = None
        self._start_endpoint(console, plain=True)

    def _port(self, console: Console, kind: str) -> int | None:
        if console.guest is not None:
            return console.guest.vnc_port if kind == "vnc" else console.guest.spice_port
        if kind == "vnc" and console.vnc is not None:
            return console.vnc.port
        return None

    def _qemu_dir(self) -> Path | None:
        return Path(self.config.state_dir) / "qemu" if self.config.state_dir else None

    def _close(self, console: Console) -> None:
        if console.vnc is not None:
            self._run(console.vnc.close())
        if console.guest is not None:
            self._run(asyncio.to_thread(console.guest.stop))

    def _run(self, coro) -> None:
        """Fire and forget, keeping a reference so the task is not collected mid-way."""
        try:
            task = asyncio.get_running_loop().create_task(coro)
        except RuntimeError:   # no loop (a plain unit test): nothing async was started
            coro.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- the proxies -------------------------------------------------------------------
    async def start(self) -> None:
        if self.config.qemu and not self.use_qemu:
            log.warning("--qemu: %s not found, so consoles use devcloud's own VNC server and "
                        "SPICE is unavailable (apt-get install qemu-system-x86)", qemu.QEMU)
        atexit.register(self._end_processes)
        await self._start_proxy("vnc", self.config.console_port)
        if self.spice_offered:
            await self._start_proxy("spice", self.spice_port)

    async def _start_proxy(self, kind: str, port: int) -> None:
        source = (f"http://{self.local_host}:{self.config.port}"
                  f"/devcloud/console-tokens/{kind}/%s")
        args = [sys.executable, "-m", "devcloud.novncproxy", "--host", self.bind_host,
                "--port", str(port), "--token-source", source]
        web_dir = next((d for d in WEB_DIRS[kind] if (d / WEB_PAGES[kind]).exists()), None)
        if web_dir:
            args += ["--web", str(web_dir)]
        out = subprocess.DEVNULL
        if self.config.state_dir:
            Path(self.config.state_dir).mkdir(parents=True, exist_ok=True)
            out = open(Path(self.config.state_dir) / f"novncproxy-{kind}.log", "ab")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        try:
            proc = children.spawn(args, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT, env=env)
        finally:
            if out is not subprocess.DEVNULL:
                out.close()
        self.proxies[kind] = proc
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log.error("console proxy (%s) exited at start: is %s:%s in use? see "
                          "novncproxy-%s.log in the state dir", kind, self.bind_host, port, kind)
                return
            if await qemu._accepts(self.local_host, port):
                log.info("console proxy (%s, websockify) on %s:%s", kind, self.bind_host, port)
                return
            await asyncio.sleep(0.05)
        log.error("console proxy (%s) did not listen on %s:%s in time", kind, self.bind_host,
                  port)

    async def stop(self) -> None:
        for console in self.consoles.values():
            if console.vnc is not None:
                await console.vnc.close()
                console.vnc = None
        await asyncio.to_thread(self._end_processes)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _end_processes(self) -> None:
        """qemu guests and proxies; also run at exit, in case stop() never ran."""
        for console in self.consoles.values():
            if console.guest is not None:
                console.guest.stop()
                console.guest = None
        for proc in self.proxies.values():
            children.end(proc)

    def status(self) -> dict:
        now = self.clock()
        return {
            "token_ttl": self.token_ttl, "qemu": self.use_qemu,
            "servers": len(self.consoles),
            "vnc_servers": sum(c.vnc is not None for c in self.consoles.values()),
            "vnc_clients": sum(c.vnc.client_count for c in self.consoles.values() if c.vnc),
            "qemu_guests": sum(c.guest is not None and c.guest.alive
                               for c in self.consoles.values()),
            "tokens": sum(t.expires > now for t in self.tokens.values()),
            "proxies": {kind: {"pid": p.pid, "alive": p.poll() is None}
                        for kind, p in self.proxies.items()},
        }


# --- HTTP -------------------------------------------------------------------------------

def _service(request: web.Request) -> Consoles:
    return request.app[CLOUD_KEY].services["consoles"]


@public
async def token_target(request: web.Request) -> web.Response:
    """websockify's JSONTokenApi asks here: {host, port} for a live token, else 404.
    Loopback only, so the route is no oracle for anyone else."""
    consoles = _service(request)
    if not (_loopback(request.remote) or request.remote == consoles.bind_host):
        return web.json_response({"error": "loopback only"}, status=403)
    kind, token = request.match_info["kind"], request.match_info["token"]
    tok = consoles._live(token)
    if tok is None or tok.kind != kind:
        return web.json_response({"error": "token not found"}, status=404)
    await consoles.ready(tok.server_id)
    console = consoles.consoles.get(tok.server_id)
    port = consoles._port(console, kind) if console else None
    if port is None:
        return web.json_response({"error": "console not available"}, status=404)
    return web.json_response({"host": consoles.local_host, "port": port})


async def admin_status(request: web.Request) -> web.Response:
    if not request["ctx"].is_admin:
        raise CloudError(403, "devcloud admin API needs an admin token.")
    consoles = _service(request)
    if request.method == "POST":
        body = await request.json()
        if "token_ttl" in body:
            consoles.token_ttl = float(body["token_ttl"])
    return web.json_response(consoles.status())


def setup(app: web.Application, cloud: Cloud) -> None:
    cloud.services["consoles"] = Consoles(cloud)
    app.router.add_get("/devcloud/console-tokens/{kind}/{token}", token_target)
    app.router.add_get("/devcloud/consoles", admin_status)
    app.router.add_post("/devcloud/consoles", admin_status)
