"""The chat brokers on their own: in-process delivery from any thread, a slow subscriber's
overflow, and Redis pub/sub between two brokers (as two processes would hold) on a real Redis,
including unsubscribing and an unreachable server."""

from __future__ import annotations

import asyncio
import secrets

import pytest
import redis.asyncio as aioredis

from api.services.chat_broker import (
    OVERFLOW,
    BrokerUnavailable,
    InProcessBroker,
    RedisBroker,
    channel_name,
)
from tests.api.test_live_cluster import REDIS
from tests.support.ports import free_port


def test_in_process_delivery_reaches_every_subscriber_even_from_another_thread():
    async def scenario() -> None:
        broker = InProcessBroker()
        async with broker.subscribe("c") as one, broker.subscribe("c") as two:
            async with broker.subscribe("other") as elsewhere:
                await broker.publish("c", {"n": 1})
                # from a worker thread running its own event loop, as a sync route would
                await asyncio.to_thread(asyncio.run, broker.publish("c", {"n": 2}))
                assert [await one.get(), await one.get()] == [{"n": 1}, {"n": 2}]
                assert [await two.get(), await two.get()] == [{"n": 1}, {"n": 2}]
                assert elsewhere._queue.empty()
        assert broker._channels == {}

    asyncio.run(scenario())


def test_a_subscriber_that_falls_behind_gets_overflow_not_a_gap():
    async def scenario() -> None:
        broker = InProcessBroker(queue_size=3)
        async with broker.subscribe("c") as slow:
            for n in range(5):
                await broker.publish("c", {"n": n})
            assert slow.overflowed and await slow.get() == OVERFLOW
            assert slow._queue.empty()

    asyncio.run(scenario())


def test_two_redis_brokers_fan_out_and_unsubscribe_when_the_last_listener_leaves():
    prefix = f"planet:test:{secrets.token_hex(6)}"
    channel = channel_name(prefix, 31337, 7)

    async def scenario() -> None:
        a, b = RedisBroker(REDIS), RedisBroker(REDIS)
        await a.start()
        await b.start()
        probe = aioredis.Redis.from_url(REDIS)
        try:
            async with b.subscribe(channel) as first, b.subscribe(channel) as second:
                assert (await probe.pubsub_numsub(channel))[0][1] == 1  # one per process
                await a.publish(channel, {"type": "message", "body": "hi"})
                for sub in (first, second):
                    got = await asyncio.wait_for(sub.get(), 5)
                    assert got == {"type": "message", "body": "hi"}
            assert (await probe.pubsub_numsub(channel))[0][1] == 0
        finally:
            await probe.aclose()
            await a.stop()
            await b.stop()

    asyncio.run(scenario())


def test_an_unreachable_or_unstarted_redis_broker_is_unavailable():
    async def scenario() -> None:
        idle = RedisBroker(REDIS)
        with pytest.raises(BrokerUnavailable):
            await idle.publish("c", {})
        with pytest.raises(BrokerUnavailable):
            async with idle.subscribe("c"):
                pass
        down = RedisBroker(f"redis://127.0.0.1:{free_port()}/0", timeout=1)
        await down.start()
        try:
            with pytest.raises(BrokerUnavailable):
                await down.publish("c", {"body": "x"})
            with pytest.raises(BrokerUnavailable):
                async with down.subscribe("c"):
                    pass
            assert down._local == {}
        finally:
            await down.stop()

    asyncio.run(scenario())
