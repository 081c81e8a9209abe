"""A small RFB client for tests and benchmarks, over raw TCP or a WebSocket (websockify, or
the portal's relay).

It speaks the bytes itself (no VNC library), keeps a framebuffer and applies Raw rectangles
to it, so tests can count pixels that are not the background; it counts the bytes it
received, for throughput figures.
"""

import asyncio
import struct

import websockets

BG = (12, 14, 20)  # devcloud.vnc.BG, repeated so the test states what it expects


class RFBClient:
    def __init__(self, recv, send, close):
        self._recv, self._send, self._close = recv, send, close
        self._buf = bytearray()
        self.width = self.height = 0
        self.bpp = 32
        self.name = ""
        self.server_format = b""
        self.fb = bytearray()
        self.received = 0

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
    async def websocket(cls, url: str, origin: str | None = None,
                        headers: dict | None = None) -> "RFBClient":
        ws = await websockets.connect(url, subprotocols=["binary"], origin=origin,
                                      additional_headers=headers or {}, max_size=None,
                                      open_timeout=10, compression=None)

        async def recv():
            try:
                data = await ws.recv()
            except websockets.ConnectionClosed as closed:
                raise ConnectionError(f"websocket closed: {closed}") from None
            return data if isinstance(data, bytes) else data.encode()

        client = cls(recv, ws.send, ws.close)
        client.ws = ws
        return client

    # --- bytes ----------------------------------------------------------------------
    async def read(self, n: int) -> bytes:
        while len(self._buf) < n:
            chunk = await self._recv()
            self.received += len(chunk)
            self._buf += chunk
        data = bytes(self._buf[:n])
        del self._buf[:n]
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
            assert count > 0, "the server refused the connection"
            types = await self.read(count)
            assert 1 in types, f"no 'None' security type: {list(types)}"
            await self.send(b"\x01")
            if version >= b"RFB 003.008\n":
                assert await self.read(4) == b"\0\0\0\0"      # SecurityResult OK
        else:
            assert await self.read(4) == b"\0\0\0\1"          # 3.3: security None
        await self.send(b"\x01")                              # ClientInit: shared
        self.width, self.height = struct.unpack(">HH", await self.read(4))
        self.server_format = await self.read(16)
        self.bpp = self.server_format[0]
        (length,) = struct.unpack(">I", await self.read(4))
        self.name = (await self.read(length)).decode("utf-8", "replace")
        self.fb = bytearray(self.width * self.height * 4)

    async def set_pixel_format(self, fmt: bytes) -> None:
        await self.send(b"\x00\0\0\0" + fmt)
        self.bpp = fmt[0]

    async def set_encodings(self, encodings=(0,)) -> None:
        await self.send(struct.pack(f">BxH{len(encodings)}i", 2, len(encodings), *encodings))

    async def request(self, incremental: bool, x=0, y=0, w=None, h=None) -> None:
        await self.send(struct.pack(">BBHHHH", 3, incremental, x, y,
                                    self.width if w is None else w,
                                    self.height if h is None else h))

    async def key(self, keysym: int, down: bool = True) -> None:
        await self.send(struct.pack(">BBxxI", 4, down, keysym))

    async def press(self, keysym: int) -> None:
        await self.key(keysym, True)
        await self.key(keysym, False)

    async def type(self, text: str) -> None:
        for ch in text:
            await self.press(ord(ch))

    async def read_update(self, bpp: int | None = None, timeout: float = 10) -> list[tuple]:
        """The next FramebufferUpdate (a Bell or ServerCutText before it is skipped); Raw
        rectangles are applied to self.fb when 32 bpp."""
        bpp = bpp or self.bpp

        async def read():
            while (kind := (await self.read(1))[0]) != 0:
                if kind == 3:                                 # ServerCutText
                    (n,) = struct.unpack(">xxxI", await self.read(7))
                    await self.read(n)
                else:
                    assert kind == 2, f"expected FramebufferUpdate, got message {kind}"
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
