"""A minimal RFB client for tests: over TCP or through a websockify WebSocket.

It speaks the bytes itself (no VNC library), keeps a 32-bpp framebuffer and applies Raw
rectangles to it, so tests can count pixels that are not the background.
"""

import asyncio
import struct
from urllib.parse import parse_qs, unquote, urlparse

import websockets

BG = (12, 14, 20)  # devcloud.vnc.BG, repeated so the test states what it expects


class RFBClient:
    def __init__(self, recv, send, close):
        self._recv, self._send, self._close = recv, send, close
        self._buf = bytearray()
        self.width = self.height = 0
        self.name = ""
        self.server_format = b""
        self.fb = bytearray()

    # --- transports -------------------------------------------------------------
    @classmethod
    async def tcp(cls, host: str, port: int) -> "RFBClient":
        reader, writer = await asyncio.open_connection(host, port)

        async def recv():
            data = await reader.read(65536)
            if not data:
                raise ConnectionError("server closed the connection")
            return data

        async def send(data):
            writer.write(data)
            await writer.drain()

        async def close():
            writer.close()
        return cls(recv, send, close)

    @classmethod
    async def websocket(cls, url: str, origin: str | None = None) -> "RFBClient":
        ws = await websockets.connect(url, subprotocols=["binary"], origin=origin,
                                      max_size=None, open_timeout=10)

        async def recv():
            try:
                data = await ws.recv()
            except websockets.ConnectionClosed as closed:
                raise ConnectionError(f"websocket closed: {closed}") from None
            return data if isinstance(data, bytes) else data.encode()

        return cls(recv, ws.send, ws.close)

    # --- bytes ----------------------------------------------------------------------
    async def read(self, n: int) -> bytes:
        while len(self._buf) < n:
            self._buf += await self._recv()
        data, self._buf = bytes(self._buf[:n]), self._buf[n:]
        return data

    async def send(self, data: bytes) -> None:
        await self._send(data)

    async def close(self) -> None:
        await self._close()

    # --- protocol ---------------------------------------------------------------------
    async def handshake(self, version: bytes = b"RFB 003.008\n") -> None:
        server_version = await self.read(12)
        assert server_version == b"RFB 003.008\n", server_version
        await self.send(version)
        if version >= b"RFB 003.007\n":
            count = (await self.read(1))[0]
            types = await self.read(count)
            assert 1 in types, types
            await self.send(b"\x01")
            if version >= b"RFB 003.008\n":
                assert await self.read(4) == b"\0\0\0\0"      # SecurityResult OK
        else:
            assert await self.read(4) == b"\0\0\0\1"          # 3.3: security None
        await self.send(b"\x01")                              # ClientInit: shared
        self.width, self.height = struct.unpack(">HH", await self.read(4))
        self.server_format = await self.read(16)
        (length,) = struct.unpack(">I", await self.read(4))
        self.name = (await self.read(length)).decode()
        self.fb = bytearray(self.width * self.height * 4)

    async def set_pixel_format(self, fmt: bytes) -> None:
        await self.send(b"\x00\0\0\0" + fmt)

    async def set_encodings(self, encodings=(0,)) -> None:
        await self.send(struct.pack(f">BxH{len(encodings)}i", 2, len(encodings), *encodings))

    async def request(self, incremental: bool, x=0, y=0, w=None, h=None) -> None:
        await self.send(struct.pack(">BBHHHH", 3, incremental, x, y,
                                    self.width if w is None else w,
                                    self.height if h is None else h))

    async def key(self, keysym: int, down: bool = True) -> None:
        await self.send(struct.pack(">BBxxI", 4, down, keysym))

    async def type(self, text: str) -> None:
        for ch in text:
            await self.key(ord(ch), True)
            await self.key(ord(ch), False)

    async def read_update(self, bpp: int = 32, timeout: float = 10) -> list[tuple]:
        """One FramebufferUpdate; Raw rectangles are applied to self.fb when 32 bpp."""
        async def read():
            msg = await self.read(1)
            assert msg == b"\x00", f"expected FramebufferUpdate, got {msg!r}"
            (count,) = struct.unpack(">xH", await self.read(3))
            rects = []
            for _ in range(count):
                x, y, w, h, enc = struct.unpack(">HHHHi", await self.read(12))
                assert enc == 0, f"only Raw was asked for, got encoding {enc}"
                pixels = await self.read(w * h * bpp // 8)
                rects.append((x, y, w, h, pixels))
                if bpp == 32:
                    for row in range(h):
                        start = ((y + row) * self.width + x) * 4
                        self.fb[start:start + w * 4] = pixels[row * w * 4:(row + 1) * w * 4]
            return rects
        return await asyncio.wait_for(read(), timeout)

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        """(r, g, b) in the server's default format (32 bpp little-endian, shifts 16/8/0)."""
        i = (y * self.width + x) * 4
        b, g, r = self.fb[i], self.fb[i + 1], self.fb[i + 2]
        return r, g, b

    def non_background(self, bg=BG, top: int = 0) -> int:
        """How many pixels (from row `top` down) are not the background colour."""
        count = 0
        b0, g0, r0 = bg[2], bg[1], bg[0]
        fb = self.fb
        for i in range(top * self.width * 4, len(fb), 4):
            if fb[i] != b0 or fb[i + 1] != g0 or fb[i + 2] != r0:
                count += 1
        return count


# --- Nova console URLs --------------------------------------------------------------

def remote_console(client, server_id, protocol="vnc", type_="novnc", mv="2.6"):
    return client.nova("POST", f"/servers/{server_id}/remote-consoles",
                       {"remote_console": {"protocol": protocol, "type": type_}}, mv=mv)


def token_of(url: str) -> str:
    inner = unquote(parse_qs(urlparse(url).query)["path"][0])    # "?token=..."
    return parse_qs(inner[1:])["token"][0]


def ws_url_of(url: str) -> str:
    """What noVNC's vnc_auto.html connects to for Nova's URL: ws://host:port/?token=..."""
    parts = urlparse(url)
    return f"ws://{parts.netloc}/{unquote(parse_qs(parts.query)['path'][0])}"
