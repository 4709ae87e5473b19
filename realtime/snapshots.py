"""Snapshot loading shared by the sockets of one process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

LoadSnapshot = Callable[[str], Awaitable[dict[str, Any] | None]]


class SnapshotLoader:
    """Loads and serialises a channel's snapshot, coalescing concurrent requests.

    After a Redis reconnect every socket of a busy night asks for a snapshot at once; without
    coalescing that is one database query per socket. A request joins a load only if that load
    has not started yet: a load already running may have read the state before the change that
    made this client ask, so the request queues the next one instead. At most one load runs and
    one waits per channel, whatever the number of sockets. The result is serialised once
    (`None` means the night does not exist).
    """

    def __init__(self, load: LoadSnapshot) -> None:
        self._load = load
        self._running: dict[str, asyncio.Task[str | None]] = {}
        self._queued: dict[str, asyncio.Task[str | None]] = {}

    async def load(self, channel: str) -> str | None:
        task = self._queued.get(channel)
        if task is None:
            running = self._running.get(channel)
            task = asyncio.create_task(self._flight(channel, running))
            task.add_done_callback(_retrieve)
            if running is None:
                self._running[channel] = task
            else:
                self._queued[channel] = task
        # Shielded: a client that goes away must not cancel the load others wait for.
        return await asyncio.shield(task)

    async def _flight(self, channel: str, previous: asyncio.Task[str | None] | None) -> str | None:
        me = asyncio.current_task()
        if previous is not None:
            await asyncio.wait([previous])
            self._queued.pop(channel, None)
            self._running[channel] = me  # type: ignore[assignment]
        try:
            snapshot = await self._load(channel)
            return None if snapshot is None else json.dumps(snapshot, separators=(",", ":"))
        finally:
            if self._running.get(channel) is me:
                del self._running[channel]


def _retrieve(task: asyncio.Task[str | None]) -> None:
    # Every waiter may have gone; do not let asyncio log an unretrieved exception.
    if not task.cancelled():
        task.exception()
