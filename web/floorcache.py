"""A one-second, per-process cache of serialised floor maps.

A busy night's floor is read far more often than it changes, and computing it costs a
dozen queries and a pricing pass. Any write request in this process clears the cache, so
a guest always reads their own hold; a change made by another process shows here within
``ttl`` seconds on the JSON endpoint (the WebSocket streams it at once regardless).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable


class FloorCache:
    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, bytes]] = {}
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
