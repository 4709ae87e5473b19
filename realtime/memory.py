"""In-process broker: the default when the app runs as a single process."""

from __future__ import annotations

from realtime.base import Broker, BrokerUnavailable
from realtime.events import Message


class MemoryBroker(Broker):
    """Fans messages out within this process only.

    Right for one app process (and for tests); with several processes behind a load balancer a
    change published in one would never reach sockets held by another, so use `RedisBroker`.
    """

    def __init__(self, *, queue_size: int = 256) -> None:
        super().__init__(queue_size=queue_size)
        self._connected = False

    async def connect(self) -> None:
        self._connected = True

    async def disconnect(self) -> None:
        self._connected = False
        self._close_all()

    async def publish(self, channel: str, message: str) -> None:
        if not self._connected:
            raise BrokerUnavailable("MemoryBroker is not connected")
        self._fan_out(channel, Message(channel, message))

    async def listened(self, channels: list[str]) -> set[str] | None:
        return {c for c in channels if self._local.get(c)}

    async def _listen(self, channel: str) -> None:
        return None

    def _unlisten(self, channel: str) -> None:
        return None
