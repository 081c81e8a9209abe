"""devcloud's RFB server on its own: handshake, frames, incremental updates, typing, formats."""

import asyncio
import random
import struct
import time

import pytest
from PIL import Image

from devcloud import vnc
from tests.rfb import BG, RFBClient

BOOT_LOG = "\n".join([
    "[    0.000000] Linux version 6.1.0-cloud (devcloud)",
    "Sending discover...",
    "Lease of 10.0.0.5 obtained from 10.0.0.1, lease time 86400",
    "login as 'cirros' user. default password: 'gocubsgo'. use 'sudo' for root.",
])


@pytest.fixture
async def served():
    screen = vnc.Screen("vm-one  (1234)")
    screen.set_text(BOOT_LOG)
    server = vnc.VNCServer(screen, name="vm-one")
    port = server.listen("127.0.0.1")
    clients = []

    async def connect(version=b"RFB 003.008\n"):
        client = await RFBClient.tcp("127.0.0.1", port)
        await client.handshake(version)
        clients.append(client)
        return client
    yield screen, server, connect
    for client in clients:
        await client.close()
    await server.close()


async def test_handshake_server_init(served):
    _, _, connect = served
    client = await connect()
    assert (client.width, client.height) == (720, 400)
    assert client.name == "vm-one"
    bpp, depth, big_endian, true_colour, rmax, gmax, bmax, rs, gs, bs = struct.unpack(
        ">BBBBHHHBBBxxx", client.server_format)
    assert (bpp, depth, big_endian, true_colour) == (32, 24, 0, 1)
    assert (rmax, gmax, bmax, rs, gs, bs) == (255, 255, 255, 16, 8, 0)


@pytest.mark.parametrize("version", [b"RFB 003.003\n", b"RFB 003.007\n", b"RFB 003.889\n"])
async def test_older_clients(served, version):
    _, _, connect = served
    client = await connect(version)   # 3.889 (Apple) is answered as 3.3, as the RFC says
    await client.request(False)
    rects = await client.read_update()
    assert rects[0][:4] == (0, 0, 720, 400)


async def test_full_frame_shows_header_and_text(served):
    _, _, connect = served
    client = await connect()
    await client.set_encodings([0, -223])
    await client.request(False)
    rects = await client.read_update()
    assert [r[:4] for r in rects] == [(0, 0, 720, 400)]
    assert len(rects[0][4]) == 720 * 400 * 4
    assert client.pixel(715, 8) == vnc.HEADER_BG           # header bar, right end
    assert client.pixel(715, 390) == BG                    # background
    text_pixels = client.non_background(top=vnc.CELL_H)    # body text below the header
    assert text_pixels > 2000, text_pixels


async def test_incremental_request_is_held_until_change(served):
    screen, _, connect = served
    client = await connect()
    await client.request(False)
    await client.read_update()
    await client.request(True)
    with pytest.raises(asyncio.TimeoutError):
        await client.read_update(timeout=0.3)               # nothing changed: no answer
    before = client.non_background(top=vnc.CELL_H)
    t0 = time.perf_counter()
    screen.set_text(BOOT_LOG + "\nA new line from the guest, long enough to be seen")
    rects = await client.read_update()
    latency = time.perf_counter() - t0
    (x, y, w, h, _), = rects
    assert w * h < 720 * 400 / 4, "only the changed box is sent"
    assert client.non_background(top=vnc.CELL_H) > before
    assert latency < 0.5, latency


async def test_typing_echoes_and_enter_makes_a_new_line(served):
    screen, _, connect = served
    client = await connect()
    await client.request(False)
    await client.read_update()
    frame = bytes(client.fb)
    await client.request(True)
    await client.type("uname -a")
    await client.read_update()
    # Keys arrive one by one: keep asking until the echo is complete.
    while screen.input != "uname -a":
        await client.request(True)
        await client.read_update()
    assert bytes(client.fb) != frame
    await client.key(vnc.XK_RETURN)
    await client.key(vnc.XK_RETURN, down=False)
    await client.request(True)
    await client.read_update()
    assert screen.rows()[-2:] == ["$ uname -a", "$ "]
    await client.key(vnc.XK_BACKSPACE)                      # nothing to delete: no change
    await client.key(ord("x"))
    await client.key(vnc.XK_BACKSPACE)
    await asyncio.sleep(0.05)
    assert screen.input == ""


async def test_two_clients_share_the_screen(served):
    screen, server, connect = served
    a, b = await connect(), await connect()
    for c in (a, b):
        await c.request(False)
        await c.read_update()
        await c.request(True)
    await a.type("x")
    await a.read_update()
    await b.read_update()
    assert a.fb == b.fb
    assert server.client_count == 2


@pytest.mark.parametrize("fmt", [
    vnc.PixelFormat(32, 24, True, True, 255, 255, 255, 16, 8, 0),    # big-endian xRGB
    vnc.PixelFormat(32, 24, False, True, 255, 255, 255, 0, 8, 16),   # noVNC's RGBx
    vnc.PixelFormat(16, 16, False, True, 31, 63, 31, 11, 5, 0),      # RGB565 little-endian
    vnc.PixelFormat(16, 15, True, True, 31, 31, 31, 10, 5, 0),       # RGB555 big-endian
    vnc.PixelFormat(8, 8, False, True, 7, 7, 3, 0, 3, 6),            # BGR233
])
def test_pixel_format_encoding_matches_the_definition(fmt):
    rnd = random.Random(7)
    img = Image.new("RGB", (13, 5))
    img.putdata([(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
                 for _ in range(13 * 5)])
    nbytes = fmt.bpp // 8
    expected = b"".join(
        (((r * fmt.red_max + 127) // 255 << fmt.red_shift)
         | ((g * fmt.green_max + 127) // 255 << fmt.green_shift)
         | ((b * fmt.blue_max + 127) // 255 << fmt.blue_shift)).to_bytes(
            nbytes, "big" if fmt.big_endian else "little")
        for r, g, b in zip(*[iter(img.tobytes())] * 3, strict=True))
    assert fmt.encode(img) == expected


async def test_set_pixel_format_is_honoured(served):
    _, _, connect = served
    client = await connect()
    rgb565 = vnc.PixelFormat(16, 16, False, True, 31, 63, 31, 11, 5, 0)
    await client.set_pixel_format(rgb565.pack())
    await client.request(False)
    (x, y, w, h, pixels), = await client.read_update(bpp=16)
    assert len(pixels) == 720 * 400 * 2
    (value,) = struct.unpack("<H", pixels[(390 * 720 + 715) * 2:][:2])
    assert value == rgb565.encode(Image.new("RGB", (1, 1), BG))[0] | (
        rgb565.encode(Image.new("RGB", (1, 1), BG))[1] << 8)


async def test_protocol_errors_close_the_connection(served):
    _, server, connect = served
    client = await RFBClient.tcp("127.0.0.1", server.port)
    assert await client.read(12) == b"RFB 003.008\n"
    await client.send(b"GET / HTTP/1.1\r\n")
    with pytest.raises(ConnectionError):
        await client.read(1)
    client = await connect()
    await client.send(b"\x63")                               # no such message type
    with pytest.raises(ConnectionError):
        await client.read(1)


async def test_close_ends_clients(served):
    _, server, connect = served
    client = await connect()
    await server.close()
    with pytest.raises(ConnectionError):
        await client.read(1)
