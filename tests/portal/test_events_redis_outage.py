"""/ws/events/ across a Redis outage, over the real web server and a Redis of the test's
own (issue 16): an open socket is closed with "try again later", a socket opened while
Redis is away is refused at once, and the first socket opened once Redis is back opens
and hears its project. Before, that first socket's handshake was sometimes never
answered (portal/channellayer.py says why), and so the page's reconnect hung."""

import asyncio

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from portal.channellayer import PortalChannelLayer, host_options
from portal.consumers import TRY_AGAIN
from portal.events import project_group
from tests.conftest import run_portal
from tests.portal.test_events_ws import heard, project_id, ws_url
from tests.redisserver import Redis

# The sockets opened while Redis is away leave the layer's pool in the state the page's
# retries did, in which the first socket after the restart hung one run in two.
RETRIES_WHILE_AWAY = 10


async def connect(portal, session, open_timeout: float):
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    return await websockets.connect(ws_url(portal), additional_headers={"Cookie": cookie},
                                    origin=portal.url, open_timeout=open_timeout)


async def publish(redis: Redis, project: str, html: str) -> None:
    """What portal.events.apublish sends, onto the portal's own Redis (this process's
    channel layer is the test run's Redis)."""
    layer = PortalChannelLayer(hosts=[host_options(redis.url, socket_timeout=15)])
    await layer.group_send(project_group(project),
                           {"type": "portal.event", "html": html, "kind": "update"})
    await layer.close_pools()


@pytest.fixture
def redis(tmp_path):
    server = Redis(tmp_path)
    server.start()
    yield server
    server.stop()


async def test_the_first_socket_once_redis_is_back_opens_and_hears(cloud, tmp_path, redis):
    with run_portal(cloud, tmp_path, REDIS_URL=redis.url) as portal:
        alice = portal.login("alice", cloud)
        alpha = project_id(portal, alice)
        pages = [await connect(portal, alice, open_timeout=10) for _ in range(2)]
        redis.stop()
        for ws in pages:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), timeout=30)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == TRY_AGAIN
        for _ in range(RETRIES_WHILE_AWAY):      # as the page does, refused each time
            with pytest.raises(InvalidStatus) as refused:
                await connect(portal, alice, open_timeout=20)
            assert refused.value.response.status_code == 403
            await asyncio.sleep(0.5)

        redis.start()
        async with await connect(portal, alice, open_timeout=20) as back:
            await publish(redis, alpha, '<div id="probe" hx-swap-oob="true">back</div>')
            assert "back" in await heard(back, "back", within=10)
