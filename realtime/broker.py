"""Public face of the brokers: `Broker`, its two implementations and `make_broker`."""

from __future__ import annotations

from realtime.base import Broker, BrokerUnavailable
from realtime.events import Event, Message, Resync
from realtime.memory import MemoryBroker
from realtime.redis_broker import RedisBroker
from realtime.subscription import Subscription


def make_broker(redis_url: str | None, *, queue_size: int = 256) -> Broker:
    """Redis when a URL is configured (several processes), otherwise in-process."""
    if redis_url:
        return RedisBroker(redis_url, queue_size=queue_size)
    return MemoryBroker(queue_size=queue_size)


__all__ = [
    "Broker",
    "BrokerUnavailable",
    "Event",
    "MemoryBroker",
    "Message",
    "RedisBroker",
    "Resync",
    "Subscription",
    "make_broker",
]
