"""A local subscriber's bounded inbox."""

from __future__ import annotations

import asyncio
from collections import deque

from realtime.events import Event, Resync, ResyncReason


class Subscription:
    """Bounded, non-blocking inbox of one local subscriber, async-iterable until closed.

    The broker's fan-out calls `deliver()` synchronously for every subscriber of a channel, so a
    slow consumer can never block the reader or the other subscribers. Instead of growing without
    bound (encode/broadcaster's queues do) or blocking the producer, an overflow throws the
    queued messages away and leaves a single `Resync` in their place: the consumer reloads its
    state once and then carries on with the messages that arrive after the signal. Queued
    messages can be discarded safely whenever a `Resync` is queued, because the reload it causes
    happens after they were published.

    `get()` is cancel-safe (an event is only removed once it is returned), so callers may wrap it
    in `asyncio.timeout()` to implement heartbeats.
    """

    def __init__(self, channel: str, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.channel = channel
        self.maxsize = maxsize
        self.overflows = 0
        self._items: deque[Event] = deque()
        self._ready = asyncio.Event()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def __len__(self) -> int:
        return len(self._items)

    def deliver(self, event: Event) -> None:
        """Queue `event` without blocking (broker side); on overflow queue a `Resync` instead."""
        if self._closed:
            return
        if isinstance(event, Resync):
            self.resync(event.reason)
        elif len(self._items) >= self.maxsize:
            self.overflows += 1
            self.resync("overflow")
        else:
            self._items.append(event)
            self._ready.set()

    def resync(self, reason: ResyncReason = "requested") -> None:
        """Replace everything queued by one `Resync`, e.g. when the consumer detected a gap."""
        if self._closed:
            return
        self._items.clear()
        self._items.append(Resync(self.channel, reason))
        self._ready.set()

    def close(self) -> None:
        """End the iteration once the queued events are consumed."""
        self._closed = True
        self._ready.set()

    async def get(self) -> Event | None:
        """Next event, waiting for one; None once the subscription is closed and drained."""
        while not self._items:
            if self._closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        event = await self.get()
        if event is None:
            raise StopAsyncIteration
        return event
