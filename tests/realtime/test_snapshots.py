from __future__ import annotations

import asyncio
from typing import Any

from realtime.snapshots import SnapshotLoader


async def test_concurrent_requests_share_at_most_one_queued_load() -> None:
    calls = 0
    gate = asyncio.Event()
    first_started = asyncio.Event()

    async def load(channel: str) -> dict[str, Any] | None:
        nonlocal calls
        calls += 1
        first_started.set()
        await gate.wait()
        return {"channel": channel, "load": calls}

    loader = SnapshotLoader(load)
    first = asyncio.create_task(loader.load("night"))
    async with asyncio.timeout(30):  # a hang guard, not a speed check
        await first_started.wait()
    # These arrive while the first load runs: it may predate their changes, so they must
    # get a load that starts later, and they share it.
    later = [asyncio.create_task(loader.load("night")) for _ in range(10)]
    gate.set()
    async with asyncio.timeout(30):  # a hang guard, not a speed check
        results = await asyncio.gather(first, *later)

    assert calls == 2
    assert results[0] == '{"channel":"night","load":1}'
    assert set(results[1:]) == {'{"channel":"night","load":2}'}


async def test_unknown_night_and_errors_reach_every_waiter() -> None:
    async def load(channel: str) -> dict[str, Any] | None:
        if channel == "boom":
            raise RuntimeError("database down")
        return None

    loader = SnapshotLoader(load)
    assert await loader.load("missing") is None
    results = await asyncio.gather(loader.load("boom"), loader.load("boom"), return_exceptions=True)
    assert all(isinstance(result, RuntimeError) for result in results)
