"""The broker contract shared by the in-process and the Redis implementations."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from realtime.events import Event
from realtime.subscription import Subscription


class BrokerUnavailable(RuntimeError):
    """The broker cannot take a publish right now; the caller (the outbox relay) retries later."""


class Broker(ABC):
    """Process-wide publish/subscribe for the live channels (floors, commission feeds).

    Local subscribers of a channel are reference-counted here: the backend hears about a channel
    when its first local listener arrives (`_listen`) and when its last one leaves (`_unlisten`),
    so a process holds one backend subscription per channel however many sockets watch it.
    Every published message reaches each local subscriber through its own bounded
    `Subscription`; see that class for the overflow rule.

    Contract for consumers: after `subscribe()` has entered, every message published later
    reaches the subscription, or a `Resync` says some may have been lost. That is what lets the
    hub subscribe first, load a snapshot second, and miss nothing.
    """

    def __init__(self, *, queue_size: int = 256) -> None:
        self.queue_size = queue_size
        self._local: dict[str, set[Subscription]] = {}

    @abstractmethod
    async def connect(self) -> None: ...

    @abstractmethod
    async def disconnect(self) -> None:
        """Stop; open subscriptions end their iteration."""

    @abstractmethod
    async def publish(self, channel: str, message: str) -> None:
        """Send `message` to every subscriber of `channel`, or raise `BrokerUnavailable`."""

    async def listened(self, channels: list[str]) -> set[str] | None:
        """Which of `channels` have a subscriber anywhere (any process), or None if that
        cannot be known now (the caller then publishes to all of them).

        The relay skips computing floors nobody watches: safe because a subscriber loads
        its snapshot only after its subscription is live (or is resynced once it is), so
        one that arrives after this answer reads a state that includes the change."""
        return None

    @abstractmethod
    async def _listen(self, channel: str) -> None:
        """A local subscriber joined `channel`: return once the backend delivers its messages."""

    @abstractmethod
    def _unlisten(self, channel: str) -> None:
        """The last local subscriber left `channel`. Must not block: it runs during cleanup."""

    @asynccontextmanager
    async def subscribe(
        self, channel: str, *, queue_size: int | None = None
    ) -> AsyncIterator[Subscription]:
        """Listen on `channel` for the duration of the block."""
        subscription = Subscription(channel, queue_size or self.queue_size)
        try:
            await self.attach(subscription)
            yield subscription
        finally:
            self.detach(subscription)

    async def attach(self, subscription: Subscription) -> None:
        """Start delivering `subscription.channel` to `subscription` (a subclass may fan
        out further, as the hub's streams do); return once the backend delivers."""
        self._local.setdefault(subscription.channel, set()).add(subscription)
        await self._listen(subscription.channel)

    def detach(self, subscription: Subscription) -> None:
        """Stop delivering to `subscription` and close it. Never blocks (runs in cleanup)."""
        subscription.close()
        subscribers = self._local.get(subscription.channel, set())
        subscribers.discard(subscription)
        if not subscribers:
            self._local.pop(subscription.channel, None)
            self._unlisten(subscription.channel)

    def local_subscriptions(self, channel: str) -> tuple[Subscription, ...]:
        """This process's subscribers of `channel` (for metrics and tests)."""
        return tuple(self._local.get(channel, ()))

    @property
    def channels(self) -> frozenset[str]:
        """Channels with at least one local subscriber."""
        return frozenset(self._local)

    def _fan_out(self, channel: str, event: Event) -> None:
        for subscription in self._local.get(channel, ()):
            subscription.deliver(event)

    def _close_all(self) -> None:
        for subscribers in self._local.values():
            for subscription in subscribers:
                subscription.close()
