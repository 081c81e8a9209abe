"""The relay's refusals, in process: the real ASGI application (Origin validator, sessions,
routing) and a counting TCP upstream standing in for the console. Every refusal must happen
before a single connection, let alone a byte, reaches the upstream."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore

from consoles import tickets
from consoles.models import ConsoleSession
from portal.asgi import application
from portal.session import KEY

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "127.0.0.1:8000"
ORIGIN = f"http://{HOST}"


class Upstream:
    """A loopback TCP 'console' that counts connections and echoes what it gets."""

    def __init__(self):
        self.connections = 0
        self.received = b""
        self.writers = []

    async def start(self):
        self.server = await asyncio.start_server(self.serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def serve(self, reader, writer):
        self.connections += 1
        self.writers.append(writer)
        writer.write(b"RFB 003.008\n")
        await writer.drain()
        while data := await reader.read(65536):
            self.received += data
            writer.write(data)
            await writer.drain()
        writer.close()

    async def stop(self):
        for w in self.writers:
            w.close()
        self.server.close()


@pytest.fixture
async def upstream():
    up = await Upstream().start()
    yield up
    await up.stop()


def user_data(name: str, project: str = "p-alpha") -> dict:
    return dict(user_id=f"id-{name}", user_name=name, domain="Default", project_id=project,
                project_name=project, roles=["member"], projects=[], token="t", token_body={},
                expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat(),
                unscoped_token="u")


@sync_to_async
def session_for(name: str) -> str:
    store = SessionStore()
    store[KEY] = user_data(name)
    store.create()
    return store.session_key


@sync_to_async
def mint(name: str, session_key: str, port: int, console_type: str = "novnc") -> str:
    binding = tickets.Binding(
        user_id=f"id-{name}", user_name=name, role="member", session_key=session_key,
        server_id=str(uuid.uuid4()), server_name="vm1", project_id="p-alpha",
        console_type=console_type, mode="direct", via="user token")
    return tickets.mint(binding, tickets.Target(kind="tcp", host="127.0.0.1", port=port))


async def connect(ticket: str, session_key: str | None, origin: str = ORIGIN):
    headers = [(b"host", HOST.encode()), (b"origin", origin.encode())]
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    comm = WebsocketCommunicator(application, f"/ws/consoles/{ticket}/", headers=headers,
                                 subprotocols=["binary"])
    connected, detail = await comm.connect(timeout=5)
    return comm, connected


async def assert_refused(upstream, ticket, session_key, origin=ORIGIN):
    comm, connected = await connect(ticket, session_key, origin)
    assert not connected
    await asyncio.sleep(0.1)
    assert upstream.connections == 0 and upstream.received == b""
    await comm.disconnect()


async def test_valid_ticket_relays_both_ways_and_is_audited(upstream):
    key = await session_for("alice")
    ticket = await mint("alice", key, upstream.port)
    comm, connected = await connect(ticket, key)
    assert connected
    assert await comm.receive_from(timeout=5) == b"RFB 003.008\n"
    await comm.send_to(bytes_data=b"RFB 003.008\n")
    assert await comm.receive_from(timeout=5) == b"RFB 003.008\n"
    assert upstream.connections == 1
    await comm.disconnect()
    await asyncio.sleep(0.2)
    row = await sync_to_async(ConsoleSession.objects.get)(user_name="alice")
    assert row.close_reason == "client closed" and row.ended_at is not None
    assert (row.bytes_to_client, row.bytes_to_server) == (24, 12)


async def test_ticket_used_twice_is_refused(upstream):
    key = await session_for("alice")
    ticket = await mint("alice", key, upstream.port)
    comm, connected = await connect(ticket, key)
    assert connected
    await comm.disconnect()
    await asyncio.sleep(0.1)
    upstream.connections = 0
    await assert_refused(upstream, ticket, key)


async def test_expired_ticket_is_refused(upstream, settings):
    settings.PORTAL_CONSOLE_TICKET_TTL = -1
    key = await session_for("alice")
    await assert_refused(upstream, await mint("alice", key, upstream.port), key)


async def test_another_users_ticket_is_refused(upstream):
    bob_key = await session_for("bob")
    alice_key = await session_for("alice")
    ticket = await mint("bob", bob_key, upstream.port)
    await assert_refused(upstream, ticket, alice_key)
    rows = await sync_to_async(list)(ConsoleSession.objects.filter(user_name="alice"))
    assert [r.close_reason for r in rows] == ["refused: ticket of another user"]
    assert rows[0].server_id == ""      # alice learns nothing of bob's ticket


async def test_ticket_from_another_session_is_refused(upstream):
    first = await session_for("alice")
    second = await session_for("alice")
    await assert_refused(upstream, await mint("alice", first, upstream.port), second)


@pytest.mark.parametrize("origin", ["http://evil.example", "http://localhost:8000",
                                    "null"])
async def test_foreign_origin_is_refused(upstream, origin):
    key = await session_for("alice")
    ticket = await mint("alice", key, upstream.port)
    await assert_refused(upstream, ticket, key, origin)
    # ...and the ticket was not spent by the foreign page: the portal's own page may use it.
    comm, connected = await connect(ticket, key)
    assert connected
    await comm.disconnect()


async def test_no_session_is_refused(upstream):
    key = await session_for("alice")
    await assert_refused(upstream, await mint("alice", key, upstream.port), None)


async def test_unknown_ticket_is_refused(upstream):
    key = await session_for("alice")
    await assert_refused(upstream, "A" * 43, key)


async def test_per_user_cap(upstream, settings):
    settings.PORTAL_CONSOLE_MAX_PER_USER = 1
    key = await session_for("alice")
    first, connected = await connect(await mint("alice", key, upstream.port), key)
    assert connected
    second, connected = await connect(await mint("alice", key, upstream.port), key)
    assert not connected and upstream.connections == 1
    await first.disconnect()
    await second.disconnect()


async def test_per_user_cap_holds_when_sockets_connect_at_once(upstream, settings):
    settings.PORTAL_CONSOLE_MAX_PER_USER = 2
    key = await session_for("alice")
    tickets_ = [await mint("alice", key, upstream.port) for _ in range(6)]
    results = await asyncio.gather(*(connect(t, key) for t in tickets_))
    assert sum(connected for _, connected in results) == 2
    assert upstream.connections == 2
    for comm, _ in results:
        await comm.disconnect()


async def test_idle_timeout_closes_both_sides(upstream, settings):
    settings.PORTAL_CONSOLE_IDLE_TIMEOUT = 0.5
    key = await session_for("alice")
    comm, connected = await connect(await mint("alice", key, upstream.port), key)
    assert connected
    await comm.receive_from(timeout=5)
    out = await comm.receive_output(timeout=5)
    assert out["type"] == "websocket.close"
    await asyncio.sleep(0.2)
    row = await sync_to_async(ConsoleSession.objects.get)(user_name="alice")
    assert row.close_reason == "idle timeout" and row.ended_at is not None


async def test_upstream_going_closes_the_browser_side(upstream):
    key = await session_for("alice")
    comm, connected = await connect(await mint("alice", key, upstream.port), key)
    assert connected
    await comm.receive_from(timeout=5)
    for w in upstream.writers:
        w.close()
    out = await comm.receive_output(timeout=5)
    assert out["type"] == "websocket.close"
    await asyncio.sleep(0.2)
    row = await sync_to_async(ConsoleSession.objects.get)(user_name="alice")
    assert row.close_reason == "server closed"


async def test_spice_ticket_admits_its_channels_but_not_beyond(upstream):
    key = await session_for("alice")
    ticket = await mint("alice", key, upstream.port, "spice-html5")
    comms = []
    for _ in range(tickets.SPICE_SOCKETS):
        comm, connected = await connect(ticket, key)
        assert connected
        comms.append(comm)
    extra, connected = await connect(ticket, key)
    assert not connected
    for comm in comms:
        await comm.disconnect()
    await asyncio.sleep(0.3)
    rows = await sync_to_async(list)(ConsoleSession.objects.exclude(
        close_reason__startswith="refused"))
    assert len(rows) == 1 and rows[0].sockets == tickets.SPICE_SOCKETS
    assert rows[0].ended_at is not None
