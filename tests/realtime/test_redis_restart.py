from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from realtime import BrokerUnavailable, Message, RedisBroker, Resync, Subscription
from tests.realtime.conftest import RedisProcess

pytestmark = pytest.mark.redis


async def next_event(sub: Subscription, within: float = 5) -> object:
    async with asyncio.timeout(within):
        return await sub.get()


async def test_subscribers_resync_and_resume_after_redis_restarts(
    redis_process: RedisProcess, channel: str
) -> None:
    broker = RedisBroker(
        redis_process.url,
        publish_timeout=1.0,
        health_check_seconds=1.0,
        backoff_initial=0.05,
        backoff_max=0.2,
    )
    await broker.connect()
    try:
        async with broker.subscribe(channel) as first, broker.subscribe(channel) as second:
            await broker.publish(channel, "before")
            for sub in (first, second):
                assert await next_event(sub) == Message(channel, "before")

            await redis_process.kill()
            async with asyncio.timeout(5):
                with pytest.raises(BrokerUnavailable):
                    await broker.publish(channel, "lost")

            await redis_process.start()
            for sub in (first, second):
                assert await next_event(sub, within=10) == Resync(channel, "reconnect")

            await broker.publish(channel, "after")
            for sub in (first, second):
                assert await next_event(sub) == Message(channel, "after")
    finally:
        await broker.disconnect()


async def test_subscribing_while_redis_is_down_resyncs_once_it_is_back(
    redis_process: RedisProcess, channel: str
) -> None:
    broker = RedisBroker(
        redis_process.url, subscribe_timeout=0.2, backoff_initial=0.05, backoff_max=0.2
    )
    await broker.connect()
    try:
        await redis_process.kill()
        await _wait_for(lambda: not broker.connected.is_set())
        async with asyncio.timeout(5), broker.subscribe(channel) as sub:
            await redis_process.start()
            assert await next_event(sub, within=10) == Resync(channel, "reconnect")
            await broker.publish(channel, "live")
            assert await next_event(sub) == Message(channel, "live")
    finally:
        await broker.disconnect()


async def _wait_for(condition: Callable[[], bool]) -> None:
    """Bounded poll of the broker's connection flag (set and cleared by its supervisor task).

    The tests need the broker to have noticed the outage before Redis comes back; the broker
    offers no event for that, and adding one only for tests is not worth it.
    """
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_watchdog_notices_a_redis_that_stops_answering(
    redis_process: RedisProcess, channel: str
) -> None:
    broker = RedisBroker(
        redis_process.url,
        connect_timeout=0.3,
        health_check_seconds=0.1,
        backoff_initial=0.05,
        backoff_max=0.2,
    )
    await broker.connect()
    try:
        async with broker.subscribe(channel) as sub:
            redis_process.pause()
            try:
                await _wait_for(lambda: not broker.connected.is_set())
            finally:
                redis_process.resume()
            assert await next_event(sub, within=10) == Resync(channel, "reconnect")
            await broker.publish(channel, "after")
            assert await next_event(sub) == Message(channel, "after")
    finally:
        await broker.disconnect()
