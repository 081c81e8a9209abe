"""The upstream side of a console session: where it goes, and a connection to it.

proxy  (default) the cloud's own console proxy WebSocket, from the URL Nova returned
       (websockify on devcloud, nova-novncproxy / nova-spicehtml5proxy on a real cloud).
       The proxy compares the Origin header with its own Host and `[console]
       allowed_origins`; it checks after the 101, so a wrong Origin shows as a socket closed
       at once ("Origin header does not match this host" in its log). We send its own
       scheme://host:port, which it always accepts, so operators need not list the portal.
direct the VNC/SPICE endpoint the admin `os-console-auth-tokens/{token}` call resolves, over
       raw TCP (the route Nova's spice-direct type, microversion 2.99, is made for). Needs
       the service account, and the portal must reach the compute hosts.
"""

import asyncio
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import aiohttp

# A read from a raw TCP upstream (direct mode) takes up to this much of what has arrived,
# as websockify does. Under uvicorn, 1 MB reads (better under daphne, whose per-message cost
# was high) gave 82% of websockify's throughput and 1.1 MB per session; 64 KB gives ~100%
# and 130 KB (bench/console_relay.py --mode direct).
CHUNK = 64 * 1024

USER_AGENT = "Stackport console relay"

# How long closing waits for the proxy's answering close frame (aiohttp waits 10 s).
CLOSE_WAIT = 1.0

class UpstreamError(Exception):
    pass


@dataclass(frozen=True)
class Target:
    """Where a console session goes upstream."""

    kind: str                 # "ws": the cloud's console proxy; "tcp": VNC/SPICE directly
    url: str = ""             # ws(s)://proxy/?token=… (kind "ws")
    origin: str = ""          # the Origin the cloud's proxy accepts: its own scheme://host:port
    host: str = ""            # kind "tcp"
    port: int = 0
    connect_path: str = ""    # Nova's internal_access_path: an HTTP CONNECT first, as Nova does


# --- targets ---------------------------------------------------------------------------

def _ws_path(url) -> str:
    query = parse_qs(url.query)
    if "path" in query:          # noVNC pages: ?path=%3Ftoken%3D… (or websockify?token=…)
        return "/" + unquote(query["path"][0]).lstrip("/")
    if "token" in query:         # spice_auto.html?token=…
        return f"/?token={query['token'][0]}"
    raise UpstreamError("the console URL carries no token")


def proxy_target(console_url: str) -> Target:
    url = urlsplit(console_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise UpstreamError("the console URL is not an http(s) URL")
    ws_scheme = "wss" if url.scheme == "https" else "ws"
    return Target(kind="ws", url=f"{ws_scheme}://{url.netloc}{_ws_path(url)}",
                  origin=f"{url.scheme}://{url.netloc}")


def console_token(console_url: str) -> str:
    """Nova's token inside a console URL (for os-console-auth-tokens)."""
    path = _ws_path(urlsplit(console_url))
    token = parse_qs(urlsplit(path).query).get("token")
    if not token:
        raise UpstreamError("the console URL carries no token")
    return token[0]


def direct_target(auth: dict) -> Target:
    """From the os-console-auth-tokens body: host, port, internal_access_path."""
    if not auth.get("host") or not auth.get("port"):
        raise UpstreamError("the cloud resolved the console token to no host/port")
    return Target(kind="tcp", host=str(auth["host"]), port=int(auth["port"]),
                  connect_path=auth.get("internal_access_path") or "")


# --- connections -----------------------------------------------------------------------

class WebSocketUpstream:
    """The cloud's console proxy, through aiohttp's WebSocket client. Its frame reader is
    compiled, and parsing the upstream's frames is much of what the relay costs per byte:
    the web process spent 0.2-0.5 ms less CPU per relayed MB than with the pure-Python
    `websockets` client (bench/console_relay.py's setup, under daphne and uvicorn alike)."""

    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse):
        self.session, self.ws = session, ws

    async def send(self, data: bytes) -> None:
        await self.ws.send_bytes(data)

    async def recv(self) -> bytes | None:
        """The next message, or None once the upstream closed. Each message goes on as it
        came: batching them cost a copy and saved nothing measurable."""
        msg = await self.ws.receive()
        if msg.type is aiohttp.WSMsgType.BINARY:
            return msg.data
        if msg.type is aiohttp.WSMsgType.TEXT:       # websockify answers binary; be lenient
            return msg.data.encode()
        return None                                  # CLOSE, CLOSED, ERROR

    async def close(self) -> None:
        try:
            await self.ws.close()
        finally:
            await self.session.close()


class TCPUpstream:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def recv(self) -> bytes | None:
        try:
            data = await self.reader.read(CHUNK)
        except (ConnectionError, OSError):
            return None
        return data or None

    async def close(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except (ConnectionError, OSError):
            pass


async def _http_connect(reader, writer, path: str) -> None:
    """What Nova's proxy does when a driver gives an internal_access_path."""
    writer.write(f"CONNECT {path} HTTP/1.1\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 200" not in head.split(b"\r\n", 1)[0]:
        raise UpstreamError("the console host refused the CONNECT")


async def _open_websocket(target: Target) -> WebSocketUpstream:
    session = aiohttp.ClientSession(headers={"User-Agent": USER_AGENT})
    try:
        ws = await session.ws_connect(target.url, origin=target.origin, protocols=["binary"],
                                      max_msg_size=0, compress=0, autoping=True,
                                      timeout=aiohttp.ClientWSTimeout(ws_close=CLOSE_WAIT))
    except BaseException:
        await session.close()
        raise
    return WebSocketUpstream(session, ws)


async def open_upstream(target: Target, timeout: float):
    """Connect to the target; raises UpstreamError (never with the URL: it holds a token)."""
    try:
        async with asyncio.timeout(timeout):
            if target.kind == "ws":
                return await _open_websocket(target)
            if target.kind == "tcp":
                reader, writer = await asyncio.open_connection(target.host, target.port,
                                                               limit=CHUNK)
                if target.connect_path:
                    await _http_connect(reader, writer, target.connect_path)
                return TCPUpstream(reader, writer)
    except (OSError, TimeoutError, aiohttp.ClientError,
            asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        raise UpstreamError(type(exc).__name__) from None
    raise UpstreamError(f"unknown target kind {target.kind!r}")
