from __future__ import annotations

import asyncio

import pytest

from realtime import (
    BrokerUnavailable,
    MemoryBroker,
    Message,
    RedisBroker,
    Resync,
    Subscription,
    make_broker,
)


async def next_event(sub: Subscription) -> object:
    async with asyncio.timeout(30):  # a hang guard, not a speed check
        return await sub.get()


async def test_fan_out_reaches_every_subscriber_of_the_channel_only(
    memory_broker: MemoryBroker,
) -> None:
    async with (
        memory_broker.subscribe("a") as first,
        memory_broker.subscribe("a") as second,
        memory_broker.subscribe("b") as other,
    ):
        await memory_broker.publish("a", '{"n":1}')

        assert await next_event(first) == Message("a", '{"n":1}')
        assert await next_event(second) == Message("a", '{"n":1}')
        assert len(other) == 0


class CountingBroker(MemoryBroker):
    def __init__(self) -> None:
        super().__init__(queue_size=4)
        self.listened: list[str] = []
        self.unlistened: list[str] = []

    async def _listen(self, channel: str) -> None:
        self.listened.append(channel)

    def _unlisten(self, channel: str) -> None:
        self.unlistened.append(channel)


async def test_channel_is_released_when_its_last_local_subscriber_leaves() -> None:
    broker = CountingBroker()
    await broker.connect()
    async with broker.subscribe("a"):
        async with broker.subscribe("a"):
            assert broker.channels == {"a"}
            assert len(broker.local_subscriptions("a")) == 2
        assert broker.unlistened == []
        assert len(broker.local_subscriptions("a")) == 1
    assert broker.unlistened == ["a"]
    assert broker.channels == frozenset()
    await broker.disconnect()


async def test_overflow_drops_the_queue_and_signals_resync_once(
    memory_broker: MemoryBroker,
) -> None:
    async with memory_broker.subscribe("a", queue_size=2) as sub:
        for n in range(3):
            await memory_broker.publish("a", str(n))
        await memory_broker.publish("a", "after")

        assert await next_event(sub) == Resync("a", "overflow")
        assert await next_event(sub) == Message("a", "after")
        assert sub.overflows == 1
        assert len(sub) == 0


async def test_slow_subscriber_does_not_affect_a_fast_one(memory_broker: MemoryBroker) -> None:
    async with (
        memory_broker.subscribe("a", queue_size=1) as slow,
        memory_broker.subscribe("a", queue_size=10) as fast,
    ):
        for n in range(5):
            await memory_broker.publish("a", str(n))

        assert [await next_event(fast) for _ in range(5)] == [
            Message("a", str(n)) for n in range(5)
        ]
        assert await next_event(slow) == Resync("a", "overflow")


async def test_requested_resync_replaces_what_is_queued(memory_broker: MemoryBroker) -> None:
    async with memory_broker.subscribe("a") as sub:
        await memory_broker.publish("a", "stale")
        sub.resync()
        await memory_broker.publish("a", "fresh")

        assert await next_event(sub) == Resync("a", "requested")
        assert await next_event(sub) == Message("a", "fresh")


async def test_disconnect_ends_iteration_and_refuses_publish() -> None:
    broker = MemoryBroker()
    await broker.connect()
    async with broker.subscribe("a") as sub:
        await broker.publish("a", "last")
        await broker.disconnect()
        async with asyncio.timeout(30):  # a hang guard, not a speed check
            assert [event async for event in sub] == [Message("a", "last")]
    with pytest.raises(BrokerUnavailable):
        await broker.publish("a", "late")


def test_make_broker_picks_redis_only_when_configured() -> None:
    assert isinstance(make_broker(None), MemoryBroker)
    assert isinstance(make_broker(""), MemoryBroker)
    assert isinstance(make_broker("redis://localhost:6379/0"), RedisBroker)
