"""portal.channellayer: a cancelled receive returns at once, even when channels-redis'
receive under it let a cancellation go (Python 3.11's asyncio.wait_for, inside redis-py,
drops one that arrives as the wrapped write completes: CPython gh-86296), and the receive
under it is still ended; messages still arrive through it."""

import asyncio
import os
import uuid

from channels_redis.core import RedisChannelLayer

from portal.channellayer import PortalChannelLayer, host_options


def layer() -> PortalChannelLayer:
    return PortalChannelLayer(hosts=[host_options(os.environ["REDIS_URL"], 15)],
                              prefix=f"test-{uuid.uuid4().hex[:8]}")


async def until(check, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)


async def test_a_message_sent_is_received():
    chan = layer()
    name = await chan.new_channel()
    await chan.send(name, {"type": "portal.event", "html": "hello"})
    assert (await asyncio.wait_for(chan.receive(name), 10))["html"] == "hello"
    await chan.close_pools()


async def test_a_cancelled_receive_ends_with_nothing_left_running():
    chan = layer()
    before = asyncio.all_tasks()
    waiting = asyncio.ensure_future(chan.receive(await chan.new_channel()))
    await asyncio.sleep(0.2)                      # in BZPOPMIN by now
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    assert waiting.cancelled()
    await until(lambda: asyncio.all_tasks() - before <= {asyncio.current_task()})
    await chan.close_pools()


async def test_a_receive_that_lets_one_cancel_go_does_not_hold_up_its_caller(monkeypatch):
    # The race cannot be triggered at will, so the receive below does what the racing
    # one did: it survives its first cancellation and goes on waiting.
    inner: list[asyncio.Task] = []

    async def lets_one_cancel_go(self, channel):
        inner.append(asyncio.current_task())
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            pass
        await asyncio.sleep(60)

    monkeypatch.setattr(RedisChannelLayer, "receive", lets_one_cancel_go)
    waiting = asyncio.ensure_future(layer().receive("specific.x!y"))
    await until(lambda: inner)
    waiting.cancel()
    await asyncio.wait_for(asyncio.gather(waiting, return_exceptions=True), 5)
    assert waiting.cancelled()
    await until(lambda: inner[0].done())          # cancelled again until it ended
    assert inner[0].cancelled()
