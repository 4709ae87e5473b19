"""Realtime: brokers (in-process, Redis pub/sub), the WebSocket hub and the outbox relay."""

from realtime.broker import (
    Broker,
    BrokerUnavailable,
    Event,
    MemoryBroker,
    Message,
    RedisBroker,
    Resync,
    Subscription,
    make_broker,
)
from realtime.hub import Hub

__all__ = [
    "Broker",
    "BrokerUnavailable",
    "Event",
    "Hub",
    "MemoryBroker",
    "Message",
    "RedisBroker",
    "Resync",
    "Subscription",
    "make_broker",
]
