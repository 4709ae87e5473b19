from __future__ import annotations

import asyncio

from web.floorcache import FloorCache


class Tick:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_concurrent_misses_compute_once() -> None:
    cache, calls, gate = FloorCache(1.0, Tick()), [], asyncio.Event()

    async def compute() -> bytes:
        calls.append(1)
        await gate.wait()
        return b"floor"

    tasks = [asyncio.create_task(cache.get_or_compute("k", compute)) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*tasks) == [b"floor"] * 5
    assert len(calls) == 1


async def test_expired_entry_served_while_one_request_recomputes() -> None:
    tick = Tick()
    cache, gate = FloorCache(1.0, tick), asyncio.Event()
    cache.put("k", b"old", cache.generation)
    tick.now += 1.0

    async def compute() -> bytes:
        await gate.wait()
        return b"new"

    leader = asyncio.create_task(cache.get_or_compute("k", compute))
    await asyncio.sleep(0)
    assert await cache.get_or_compute("k", compute) == b"old"
    gate.set()
    assert await leader == b"new"
    assert await cache.get_or_compute("k", compute) == b"new"


async def test_after_a_local_write_nobody_joins_the_older_computation() -> None:
    cache, gate = FloorCache(1.0, Tick()), asyncio.Event()

    async def before() -> bytes:
        await gate.wait()
        return b"before the write"

    async def after() -> bytes:
        return b"after the write"

    first = asyncio.create_task(cache.get_or_compute("k", before))
    await asyncio.sleep(0)
    cache.invalidate()
    assert await cache.get_or_compute("k", after) == b"after the write"
    gate.set()
    assert await first == b"before the write"
    assert cache.get("k") == b"after the write"  # the older result was not stored
