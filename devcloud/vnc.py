"""A small RFB (VNC) server whose screen is a text console: devcloud's plain server console.

One `Screen` per server holds its console text and what was typed; `VNCServer` serves it on
a loopback port to any number of clients (websockify, the portal's direct mode, a VNC viewer).

Protocol (RFC 6143): versions 3.3, 3.7 and 3.8, security type None, ServerInit with 32-bpp
true colour, Raw encoding only (noVNC and every viewer support it; on loopback a full frame
of 720x400x4 = 1.1 MB costs a few ms), SetPixelFormat for any true-colour format of 8, 16 or
32 bpp in either byte order. Updates: a non-incremental request gets the requested area at
once; an incremental one is held until the screen changes and then gets the changed box only.
"""

import asyncio
import logging
import re
import socket
import struct
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFont

log = logging.getLogger("devcloud.vnc")

COLS, ROWS = 80, 25            # a VGA text console
CELL_W, CELL_H = 9, 16
WIDTH, HEIGHT = COLS * CELL_W, ROWS * CELL_H   # 720 x 400
BG, FG = (12, 14, 20), (214, 214, 214)
HEADER_BG, HEADER_FG = (36, 64, 120), (255, 255, 255)
PROMPT = "$ "
MAX_TYPED = 200                # remembered typed lines
MAX_CUT_TEXT = 1 << 20         # ClientCutText longer than this ends the connection

# X11 keysyms (see <X11/keysymdef.h>) that the console understands.
XK_BACKSPACE, XK_TAB, XK_RETURN, XK_KP_ENTER, XK_DELETE = 0xFF08, 0xFF09, 0xFF0D, 0xFF8D, 0xFFFF
XK_CONTROL = (0xFFE3, 0xFFE4)
XK_ALT = (0xFFE9, 0xFFEA)


def _font() -> ImageFont.ImageFont:
    # Pillow finds DejaVu under /usr/share/fonts by file name; its built-in font otherwise.
    for name in ("DejaVuSansMono.ttf", "LiberationMono-Regular.ttf"):
        try:
            return ImageFont.truetype(name, 14)
        except OSError:
            continue
    return ImageFont.load_default()


FONT = _font()


class Screen:
    """What a server's console shows: a header, the tail of its console log, typed lines.

    Rendering is lazy: changes bump `version` and wake the listeners; `image()` renders
    at most once per version, however many clients look at it.
    """

    def __init__(self, title: str = ""):
        self.title = title
        self.log_lines: list[str] = []
        self.typed: list[str] = []
        self.input = ""
        self.version = 0
        self.listeners: set[asyncio.Event] = set()
        self._mods: set[int] = set()
        self._image: Image.Image | None = None
        self._image_version = -1

    # --- changes -------------------------------------------------------------
    def _changed(self) -> None:
        self.version += 1
        for event in self.listeners:
            event.set()

    def set_title(self, title: str) -> None:
        if title != self.title:
            self.title = title
            self._changed()

    def set_text(self, text: str) -> None:
        lines = [line.rstrip("\r").expandtabs() for line in (text or "").splitlines()]
        lines = lines[-ROWS * 4:]  # wrapping never needs more than this
        if lines != self.log_lines:
            self.log_lines = lines
            self._changed()

    def key(self, keysym: int, down: bool) -> None:
        """A KeyEvent: printable keys go to the input line, Enter starts a new one."""
        if keysym in XK_CONTROL or keysym in XK_ALT:
            (self._mods.add if down else self._mods.discard)(keysym)
            return
        if not down:
            return
        ctrl = any(k in self._mods for k in XK_CONTROL)
        alt = any(k in self._mods for k in XK_ALT)
        if keysym == XK_DELETE and ctrl and alt:
            self._newline("devcloud: Ctrl-Alt-Del received (no guest to reboot)")
        elif keysym in (XK_RETURN, XK_KP_ENTER):
            self._newline(PROMPT + self.input)
        elif keysym == XK_BACKSPACE:
            if self.input:
                self.input = self.input[:-1]
                self._changed()
        elif ctrl and keysym in (ord("c"), ord("C")):
            self._newline(PROMPT + self.input + "^C")
        elif ctrl and keysym in (ord("l"), ord("L")):
            self.typed.clear()
            self.log_lines = []
            self._changed()
        elif not ctrl:
            char = _char(keysym)
            if char and len(self.input) < COLS * 3:
                self.input += char
                self._changed()

    def _newline(self, line: str) -> None:
        self.typed.append(line)
        del self.typed[:-MAX_TYPED]
        self.input = ""
        self._changed()

    # --- rendering -----------------------------------------------------------
    def rows(self) -> list[str]:
        """The text rows under the header, as the screen shows them (wrapped at COLS)."""
        wrapped: list[str] = []
        for line in [*self.log_lines, *self.typed, PROMPT + self.input]:
            wrapped.extend([line[i:i + COLS] for i in range(0, len(line), COLS)] or [""])
        return wrapped[-(ROWS - 1):]

    def image(self) -> Image.Image:
        if self._image_version != self.version:
            self._image = self._render()
            self._image_version = self.version
        return self._image

    def _render(self) -> Image.Image:
        img = Image.new("RGB", (WIDTH, HEIGHT), BG)
        draw = ImageDraw.Draw(img)
        draw.rectangle((0, 0, WIDTH - 1, CELL_H - 1), fill=HEADER_BG)
        draw.text((4, 1), self.title[:COLS - 1], font=FONT, fill=HEADER_FG)
        rows = self.rows()
        for i, row in enumerate(rows, start=1):
            draw.text((4, i * CELL_H + 1), row, font=FONT, fill=FG)
        # A block cursor after the input line's last character.
        last = rows[-1] if rows else ""
        x = 4 + int(draw.textlength(last, font=FONT))
        y = len(rows) * CELL_H
        draw.rectangle((x, y + 2, x + CELL_W - 2, y + CELL_H - 2), fill=FG)
        return img


def _char(keysym: int) -> str:
    if 0x20 <= keysym <= 0x7E or 0xA0 <= keysym <= 0xFF:   # Latin-1 keysyms are code points
        return chr(keysym)
    if 0x01000100 <= keysym <= 0x0110FFFF:                   # Unicode keysyms
        return chr(keysym - 0x01000000)
    return ""


# --- pixel formats ----------------------------------------------------------------

@dataclass(frozen=True)
class PixelFormat:
    bpp: int = 32
    depth: int = 24
    big_endian: bool = False
    true_colour: bool = True
    red_max: int = 255
    green_max: int = 255
    blue_max: int = 255
    red_shift: int = 16
    green_shift: int = 8
    blue_shift: int = 0

    STRUCT = struct.Struct(">BBBBHHHBBBxxx")

    def pack(self) -> bytes:
        return self.STRUCT.pack(self.bpp, self.depth, self.big_endian, self.true_colour,
                                self.red_max, self.green_max, self.blue_max,
                                self.red_shift, self.green_shift, self.blue_shift)

    @classmethod
    def unpack(cls, data: bytes) -> "PixelFormat":
        bpp, depth, be, tc, rm, gm, bm, rs, gs, bs = cls.STRUCT.unpack(data)
        return cls(bpp, depth, bool(be), bool(tc), rm, gm, bm, rs, gs, bs)

    def supported(self) -> bool:
        return (self.true_colour and self.bpp in (8, 16, 32)
                and all(0 < m <= 255 for m in (self.red_max, self.green_max, self.blue_max)))

    def encode(self, img: Image.Image) -> bytes:
        """The image's pixels in this format, in C (Pillow) rather than a Python loop.

        Each output byte is the sum of each channel's bits that land in it: channel values
        are scaled to their max, shifted, and the byte's slice taken, all through 256-entry
        lookup tables; the fields never overlap, so adding the three is OR-ing them.
        """
        nbytes = self.bpp // 8
        channels = img.split()
        fields = ((self.red_max, self.red_shift), (self.green_max, self.green_shift),
                  (self.blue_max, self.blue_shift))
        planes = []
        for k in range(nbytes):
            # Memory byte k holds bits 8k.. (little-endian) or the mirrored byte (big-endian).
            bit = 8 * (nbytes - 1 - k) if self.big_endian else 8 * k
            plane = None
            for band, (maximum, shift) in zip(channels, fields, strict=True):
                lut = [((v * maximum + 127) // 255 << shift >> bit) & 0xFF for v in range(256)]
                if not any(lut):
                    continue
                part = band.point(lut)
                plane = part if plane is None else ImageChops.add(plane, part)
            planes.append(plane or Image.new("L", img.size, 0))
        if nbytes == 1:
            return planes[0].tobytes()
        if nbytes == 2:
            return Image.merge("LA", planes).tobytes()
        return Image.merge("RGBA", planes).tobytes()


SERVER_FORMAT = PixelFormat()


# --- the server -------------------------------------------------------------------

class ProtocolError(Exception):
    pass


class VNCServer:
    """Serves one Screen on a loopback TCP port until closed."""

    def __init__(self, screen: Screen, name: str = "devcloud"):
        self.screen = screen
        self.name = name
        self.port: int | None = None
        self._server: asyncio.AbstractServer | None = None
        self._starting: asyncio.Task | None = None
        self._clients: dict[asyncio.Task, asyncio.StreamWriter] = {}

    def listen(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Bind now (so the port is known and connections queue), serve from the loop."""
        sock = socket.create_server((host, port), reuse_port=False)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        self._starting = asyncio.get_running_loop().create_task(
            asyncio.start_server(self._serve_client, sock=sock))
        self._starting.add_done_callback(self._started)
        return self.port

    def _started(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is None:
            self._server = task.result()

    @property
    def client_count(self) -> int:
        return len(self._clients)

    async def close(self) -> None:
        if self._starting and not self._starting.done():
            await self._starting
        if self._server:
            self._server.close()
        # Abort the connections rather than cancel their tasks: each handler then ends on
        # its own read error, and asyncio has no cancelled handler task to complain about.
        for writer in self._clients.values():
            writer.transport.abort()
        if self._clients:
            await asyncio.gather(*self._clients, return_exceptions=True)
        if self._server:
            await self._server.wait_closed()

    async def _serve_client(self, reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._clients[task] = writer
        try:
            await Connection(self.screen, self.name, reader, writer).run()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except ProtocolError as err:
            log.info("VNC client dropped: %s", err)
        finally:
            self._clients.pop(task, None)
            writer.close()


class Connection:
    """One RFB client: handshake, then a reader loop and an updater task."""

    def __init__(self, screen: Screen, name: str, reader, writer):
        self.screen = screen
        self.name = name
        self.reader = reader
        self.writer = writer
        self.format = SERVER_FORMAT
        self.request: tuple[bool, tuple[int, int, int, int]] | None = None
        self.sent: Image.Image | None = None    # what the client's framebuffer holds
        self.wake = asyncio.Event()
        self.encodings: list[int] = []

    async def run(self) -> None:
        await self.handshake()
        self.screen.listeners.add(self.wake)
        updater = asyncio.create_task(self.updates())
        try:
            await self.messages()
        finally:
            self.screen.listeners.discard(self.wake)
            updater.cancel()
            await asyncio.gather(updater, return_exceptions=True)

    async def handshake(self) -> None:
        w, r = self.writer, self.reader
        w.write(b"RFB 003.008\n")
        version = await r.readexactly(12)
        match = re.fullmatch(rb"RFB (\d{3})\.(\d{3})\n", version)
        if not match or int(match[1]) != 3:
            raise ProtocolError(f"not an RFB 3.x client: {version!r}")
        minor = int(match[2])
        minor = 8 if minor >= 8 else 7 if minor == 7 else 3   # anything else speaks 3.3
        if minor >= 7:
            w.write(bytes([1, 1]))                    # one security type: None
            choice = (await r.readexactly(1))[0]
            if choice != 1:
                if minor == 8:
                    reason = b"security type not offered"
                    w.write(struct.pack(">II", 1, len(reason)) + reason)
                    await w.drain()
                raise ProtocolError(f"client chose security type {choice}")
            if minor == 8:
                w.write(struct.pack(">I", 0))         # SecurityResult OK
        else:
            w.write(struct.pack(">I", 1))             # 3.3: the server decides: None
        await r.readexactly(1)                        # ClientInit shared flag: all are shared
        name = self.name.encode()
        w.write(struct.pack(">HH", WIDTH, HEIGHT) + SERVER_FORMAT.pack()
                + struct.pack(">I", len(name)) + name)
        await w.drain()

    async def messages(self) -> None:
        r = self.reader
        while True:
            kind = (await r.readexactly(1))[0]
            if kind == 0:                                            # SetPixelFormat
                fmt = PixelFormat.unpack((await r.readexactly(19))[3:])
                if not fmt.supported():
                    raise ProtocolError(f"unsupported pixel format {fmt}")
                self.format, self.sent = fmt, None
            elif kind == 2:                                          # SetEncodings
                (count,) = struct.unpack(">xH", await r.readexactly(3))
                data = await r.readexactly(4 * count)
                self.encodings = list(struct.unpack(f">{count}i", data))
            elif kind == 3:                                          # FramebufferUpdateRequest
                incremental, *rect = struct.unpack(">BHHHH", await r.readexactly(9))
                self.request = (bool(incremental), tuple(rect))
                self.wake.set()
            elif kind == 4:                                          # KeyEvent
                down, keysym = struct.unpack(">BxxI", await r.readexactly(7))
                self.screen.key(keysym, bool(down))
            elif kind == 5:                                          # PointerEvent: no mouse
                await r.readexactly(5)
            elif kind == 6:                                          # ClientCutText: ignored
                (length,) = struct.unpack(">xxxI", await r.readexactly(7))
                if length > MAX_CUT_TEXT:
                    raise ProtocolError("cut text too long")
                await r.readexactly(length)
            else:
                raise ProtocolError(f"unknown client message type {kind}")

    async def updates(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            if self.request is None:
                continue
            incremental, (x, y, w, h) = self.request
            box = _clip((x, y, x + w, y + h))
            if box is None:
                continue
            image = self.screen.image()
            if incremental and self.sent is not None:
                if image is self.sent:
                    continue                       # hold the request until something changes
                box = _intersect(ImageChops.difference(self.sent, image).getbbox(), box)
                if box is None:
                    continue
            self.request = None
            await self.send(image, box)

    async def send(self, image: Image.Image, box: tuple[int, int, int, int]) -> None:
        x0, y0, x1, y1 = box
        pixels = self.format.encode(image.crop(box))
        self.writer.write(struct.pack(">BxH", 0, 1)
                          + struct.pack(">HHHHi", x0, y0, x1 - x0, y1 - y0, 0)   # Raw
                          + pixels)
        if box == (0, 0, WIDTH, HEIGHT) or self.sent is None:
            self.sent = image
        else:
            merged = self.sent.copy()
            merged.paste(image.crop(box), box[:2])
            self.sent = merged
        await self.writer.drain()


def _clip(box):
    return _intersect(box, (0, 0, WIDTH, HEIGHT))


def _intersect(a, b):
    if a is None or b is None:
        return None
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] < box[2] and box[1] < box[3] else None
