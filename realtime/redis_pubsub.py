"""One Redis connection in subscribe mode, driven by hand.

redis-py's `PubSub` reconnects and re-subscribes behind the caller's back. That is exactly what
the floor map cannot afford: whatever was published while the connection was down is lost, and
the subscribers must be told so (`Resync`). So the broker owns a raw connection per session and
learns about every drop; a new session starts from a fresh connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from redis.asyncio.connection import Connection

log = logging.getLogger(__name__)


class ConnectionLost(Exception):
    """The pub/sub connection is gone or stopped answering."""


class PubSubSession:
    """Reader, writer and watchdog around one subscribe-mode connection.

    Commands are queued and written by a single writer task, so callers never wait on the
    network (unsubscribing happens during cleanup and must not be cancellable half-way), and
    the order of SUBSCRIBE/UNSUBSCRIBE for one channel is the order of the calls. Redis answers
    each of them in order, which `pending` counts: a channel is live only when a `subscribe`
    reply settles its last outstanding command, so a quick unsubscribe/subscribe pair cannot
    report the channel live between the two.

    The watchdog PINGs every `health_check_seconds` and declares the connection lost when
    nothing (not even the PONG) arrived for two intervals: a half-open TCP connection would
    otherwise look like a quiet channel forever.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        on_message: Callable[[str, str], None],
        on_subscribed: Callable[[str], None],
        command_timeout: float,
        health_check_seconds: float,
    ) -> None:
        self._connection = connection
        self._on_message = on_message
        self._on_subscribed = on_subscribed
        self._command_timeout = command_timeout
        self._health_check_seconds = health_check_seconds
        self._commands: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._last_seen = 0.0
        self.pending: Counter[str] = Counter()

    def subscribe(self, channel: str) -> None:
        self.pending[channel] += 1
        self._commands.put_nowait(("SUBSCRIBE", channel))

    def unsubscribe(self, channel: str) -> None:
        self.pending[channel] += 1
        self._commands.put_nowait(("UNSUBSCRIBE", channel))

    async def run(self) -> None:
        """Serve the connection until it fails; always ends by raising."""
        self._last_seen = asyncio.get_running_loop().time()
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._write())
            tasks.create_task(self._read())
            tasks.create_task(self._watch())

    async def _write(self) -> None:
        while True:
            command = await self._commands.get()
            if not self._connection.is_connected:
                # redis-py would silently reconnect, without our subscriptions.
                raise ConnectionLost("the subscribe connection was closed")
            async with asyncio.timeout(self._command_timeout):
                await self._connection.send_command(*command)

    async def _read(self) -> None:
        while True:
            reply = await self._connection.read_response()
            self._last_seen = asyncio.get_running_loop().time()
            self._handle(reply)

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._health_check_seconds)
            if loop.time() - self._last_seen > 2 * self._health_check_seconds:
                raise ConnectionLost("no reply from Redis within two health-check intervals")
            self._commands.put_nowait(("PING", "maitre"))

    def _handle(self, reply: Any) -> None:
        if not isinstance(reply, list) or len(reply) < 3:
            return  # PONG outside subscribe mode
        kind = _text(reply[0])
        if kind == "message":
            self._on_message(_text(reply[1]), _text(reply[2]))
        elif kind in ("subscribe", "unsubscribe"):
            channel = _text(reply[1])
            self.pending[channel] -= 1
            if self.pending[channel] <= 0:
                del self.pending[channel]
                if kind == "subscribe":
                    self._on_subscribed(channel)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
