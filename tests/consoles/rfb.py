"""A small RFB 3.8 client speaking the bytes itself, over a WebSocket or raw TCP: for the
relay tests and bench/console_relay.py."""

import asyncio
import struct

import websockets


class RFB:
    def __init__(self, recv, send, close):
        self._recv, self._send, self.close = recv, send, close
        self._buf = bytearray()
        self.width = self.height = self.bpp = 0
        self.name = ""
        self.received = 0

    @classmethod
    async def websocket(cls, url: str, origin: str, headers: dict | None = None) -> "RFB":
        ws = await websockets.connect(url, origin=origin, subprotocols=["binary"],
                                      additional_headers=headers or {}, max_size=None,
                                      open_timeout=10, compression=None)

        async def recv():
            try:
                data = await ws.recv()
            except websockets.ConnectionClosed:
                raise ConnectionError("websocket closed") from None
            return data if isinstance(data, bytes) else data.encode()

        client = cls(recv, ws.send, ws.close)
        client.ws = ws
        return client

    @classmethod
    async def tcp(cls, host: str, port: int) -> "RFB":
        reader, writer = await asyncio.open_connection(host, port)

        async def recv():
            data = await reader.read(1 << 16)
            if not data:
                raise ConnectionError("closed")
            return data

        async def send(data):
            writer.write(data)
            await writer.drain()

        async def close():
            writer.close()
        return cls(recv, send, close)

    async def read(self, n: int) -> bytes:
        while len(self._buf) < n:
            chunk = await self._recv()
            self.received += len(chunk)
            self._buf += chunk
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    async def send(self, data: bytes) -> None:
        await self._send(data)

    async def handshake(self) -> None:
        version = await self.read(12)
        assert version.startswith(b"RFB 003."), version
        await self.send(b"RFB 003.008\n")
        (count,) = struct.unpack("!B", await self.read(1))
        assert count > 0, "server refused the connection"
        types = await self.read(count)
        assert 1 in types, f"no 'None' security type: {list(types)}"
        await self.send(b"\x01")
        (result,) = struct.unpack("!I", await self.read(4))
        assert result == 0, "security handshake failed"
        await self.send(b"\x01")                       # ClientInit: shared
        self.width, self.height = struct.unpack("!HH", await self.read(4))
        fmt = await self.read(16)
        self.bpp = fmt[0]
        (name_len,) = struct.unpack("!I", await self.read(4))
        self.name = (await self.read(name_len)).decode("utf-8", "replace")
        await self.send(struct.pack("!BxHi", 2, 1, 0))  # SetEncodings: Raw

    async def request(self, incremental: bool = False, box=None) -> None:
        x, y, w, h = box or (0, 0, self.width, self.height)
        await self.send(struct.pack("!BBHHHH", 3, int(incremental), x, y, w, h))

    async def update(self) -> list[tuple[int, int, int, int, bytes]]:
        """The next FramebufferUpdate's Raw rectangles (other messages are skipped)."""
        while True:
            kind = (await self.read(1))[0]
            if kind == 0:
                break
            if kind == 2:                                # Bell
                continue
            if kind == 3:                                # ServerCutText
                await self.read(3)
                (n,) = struct.unpack("!I", await self.read(4))
                await self.read(n)
                continue
            raise AssertionError(f"unexpected server message {kind}")
        await self.read(1)
        (count,) = struct.unpack("!H", await self.read(2))
        rects = []
        for _ in range(count):
            x, y, w, h, enc = struct.unpack("!HHHHi", await self.read(12))
            assert enc == 0, f"encoding {enc}"
            rects.append((x, y, w, h, await self.read(w * h * self.bpp // 8)))
        return rects

    async def key(self, keysym: int) -> None:
        for down in (1, 0):
            await self.send(struct.pack("!BBxxI", 4, down, keysym))


def lit_pixels(data: bytes, background=(12, 14, 20)) -> int:
    """Pixels of a 32-bpp little-endian BGRX Raw rectangle that are not the background."""
    bg = bytes((background[2], background[1], background[0]))
    return sum(1 for i in range(0, len(data), 4) if data[i:i + 3] != bg)
