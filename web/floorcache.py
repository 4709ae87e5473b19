"""A one-second, per-process cache of serialised floor maps.

A busy night's floor is read far more often than it changes, and computing it costs
several queries and a pricing pass. Any write request in this process clears the cache, so
a guest always reads their own hold; a change made by another process shows here within
``ttl`` seconds plus one computation on the JSON endpoint (the WebSocket streams it at
once regardless).

``get_or_compute`` makes one request per key do the work when an entry runs out: the
others that arrive meanwhile are answered from the entry that just expired (at most one
computation older than ``ttl``), or, with no entry at all, wait for that one computation
instead of starting their own. Without this, every client that missed at the same
moment computed the same floor at once, and they all waited for each other (the p99).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable


class FloorCache:
    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, bytes]] = {}
        self._computing: dict[Hashable, asyncio.Future[bytes]] = {}
        self.generation = 0

    def get(self, key: Hashable) -> bytes | None:
        hit = self._entries.get(key)
        if hit is None or hit[0] <= self._clock():
            return None
        return hit[1]

    def put(self, key: Hashable, body: bytes, generation: int) -> None:
        """Store what was computed in ``generation``, unless a write happened meanwhile."""
        if self._ttl > 0 and generation == self.generation:
            if len(self._entries) > 1000:
                self._entries.clear()
            self._entries[key] = (self._clock() + self._ttl, body)

    def invalidate(self) -> None:
        self.generation += 1
        self._entries.clear()
        # Requests from now on must not join a computation that started before the write.
        self._computing.clear()

    async def get_or_compute(self, key: Hashable, compute: Callable[[], Awaitable[bytes]]) -> bytes:
        if self._ttl <= 0:
            return await compute()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > self._clock():
            return hit[1]
        pending = self._computing.get(key)
        if pending is not None:
            if hit is not None:  # expired but not invalidated: still within ttl + one pass
                return hit[1]
            try:
                return await asyncio.shield(pending)
            except Exception:  # the computing request failed: try on our own
                return await compute()
        return await self._compute(key, compute)

    async def _compute(self, key: Hashable, compute: Callable[[], Awaitable[bytes]]) -> bytes:
        generation = self.generation
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._computing[key] = future
        try:
            body = await compute()
        except BaseException as exc:
            future.set_exception(exc if isinstance(exc, Exception) else RuntimeError("cancelled"))
            future.exception()  # retrieved: nobody waiting is not an error
            raise
        else:
            future.set_result(body)
            self.put(key, body, generation)
            return body
        finally:
            if self._computing.get(key) is future:
                del self._computing[key]
