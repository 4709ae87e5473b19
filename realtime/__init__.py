"""Realtime floor map: brokers (in-process, Redis pub/sub) and the WebSocket hub."""

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
from realtime.hub import FloorHub

__all__ = [
    "Broker",
    "BrokerUnavailable",
    "Event",
    "FloorHub",
    "MemoryBroker",
    "Message",
    "RedisBroker",
    "Resync",
    "Subscription",
    "make_broker",
]
