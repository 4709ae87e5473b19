from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from realtime import BrokerUnavailable, Message, RedisBroker, Subscription
from tests.realtime.conftest import REDIS_URL, free_port, unique_channel

pytestmark = pytest.mark.redis


async def next_event(sub: Subscription) -> object:
    async with asyncio.timeout(5):
        return await sub.get()


@pytest.fixture
async def two_processes() -> AsyncIterator[tuple[RedisBroker, RedisBroker]]:
    """Two brokers with their own connections, as two app processes would have."""
    first, second = RedisBroker(REDIS_URL), RedisBroker(REDIS_URL)
    await first.connect()
    await second.connect()
    yield first, second
    await first.disconnect()
    await second.disconnect()


async def numsub(channel: str) -> int:
    client = Redis.from_url(REDIS_URL)
    try:
        [(_, count)] = await client.pubsub_numsub(channel)
        return int(count)
    finally:
        await client.aclose()


async def test_a_message_reaches_subscribers_in_both_processes(
    two_processes: tuple[RedisBroker, RedisBroker], channel: str
) -> None:
    first, second = two_processes
    async with (
        first.subscribe(channel) as a1,
        first.subscribe(channel) as a2,
        second.subscribe(channel) as b1,
    ):
        await second.publish(channel, '{"table":7}')
        await first.publish(channel, '{"table":8}')

        for sub in (a1, a2, b1):
            assert await next_event(sub) == Message(channel, '{"table":7}')
            assert await next_event(sub) == Message(channel, '{"table":8}')


async def test_each_process_subscribes_once_per_channel(
    two_processes: tuple[RedisBroker, RedisBroker], channel: str
) -> None:
    first, second = two_processes
    async with first.subscribe(channel), second.subscribe(channel):
        async with first.subscribe(channel):
            # subscribe() returns once Redis confirmed, so the count is already exact.
            assert await numsub(channel) == 2
        assert await numsub(channel) == 2

    # UNSUBSCRIBE goes out in the background; a later SUBSCRIBE on the same connection is
    # answered after it, so once these return Redis has processed both unsubscriptions.
    async with first.subscribe(unique_channel()), second.subscribe(unique_channel()):
        assert await numsub(channel) == 0


async def test_resubscribing_quickly_keeps_the_channel_live(
    two_processes: tuple[RedisBroker, RedisBroker], channel: str
) -> None:
    first, second = two_processes
    for n in range(5):
        async with first.subscribe(channel) as sub:
            await second.publish(channel, str(n))
            assert await next_event(sub) == Message(channel, str(n))


async def test_connect_fails_fast_when_redis_is_unreachable() -> None:
    broker = RedisBroker(f"redis://127.0.0.1:{free_port()}/0", connect_timeout=0.5)
    async with asyncio.timeout(5):
        with pytest.raises(BrokerUnavailable, match="cannot reach Redis"):
            await broker.connect()
    with pytest.raises(BrokerUnavailable):
        await broker.publish("anything", "x")


async def test_listened_names_the_channels_someone_subscribes_to_in_any_process(
    two_processes: tuple[RedisBroker, RedisBroker],
) -> None:
    """What the relay asks before computing a floor: is anyone, anywhere, watching it?"""
    a, b = two_processes
    watched, unwatched = unique_channel(), unique_channel()
    assert await a.listened([watched, unwatched]) == set()
    async with b.subscribe(watched):
        assert await a.listened([watched, unwatched]) == {watched}
    async with asyncio.timeout(5):  # the UNSUBSCRIBE is sent without waiting for Redis
        while await a.listened([watched, unwatched]) != set():  # noqa: ASYNC110 - no event
            await asyncio.sleep(0.01)
