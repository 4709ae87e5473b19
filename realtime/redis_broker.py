"""Redis pub/sub broker: one subscribe connection per process, shared by every local socket."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass, field

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from realtime.base import Broker, BrokerUnavailable
from realtime.events import Message, Resync
from realtime.redis_pubsub import PubSubSession

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _ChannelState:
    live: asyncio.Event = field(default_factory=asyncio.Event)
    # Set while the channel is (or may have been) unsubscribed in Redis: the next `subscribe`
    # confirmation must tell every local subscriber to reload.
    needs_resync: bool = False


class RedisBroker(Broker):
    """Redis pub/sub for several app processes behind a load balancer.

    Improves on encode/broadcaster's Redis backend in the ways the floor map needs:

    - Subscribing returns only once Redis confirmed the SUBSCRIBE, so a snapshot loaded
      afterwards cannot miss a change (if Redis is down or slow, it returns after
      `subscribe_timeout` and the subscriber gets a `Resync` once the channel is live).
    - Fan-out never blocks: each local subscriber has a bounded `Subscription`.
    - A dropped connection is noticed (raw connection plus a PING watchdog, see
      `PubSubSession`), re-established with exponential backoff and jitter, every channel that
      still has listeners is subscribed again, and each of its subscribers receives a `Resync`
      once the channel is live again, because whatever was published meanwhile is gone.
    - Publishing uses a separate pooled client bounded by `publish_timeout`; failures raise
      `BrokerUnavailable` for the outbox relay to retry, instead of hanging.
    """

    def __init__(
        self,
        url: str,
        *,
        queue_size: int = 256,
        publish_timeout: float = 2.0,
        subscribe_timeout: float = 2.0,
        connect_timeout: float = 2.0,
        health_check_seconds: float = 5.0,
        backoff_initial: float = 0.1,
        backoff_max: float = 5.0,
    ) -> None:
        super().__init__(queue_size=queue_size)
        self.url = url
        self._publish_timeout = publish_timeout
        self._subscribe_timeout = subscribe_timeout
        self._connect_timeout = connect_timeout
        self._health_check_seconds = health_check_seconds
        self._backoff = (backoff_initial, backoff_max)
        self._states: dict[str, _ChannelState] = {}
        self._client: Redis | None = None
        self._pool: ConnectionPool | None = None
        self._session: PubSubSession | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()  # the subscribe connection is up (for health checks)

    async def connect(self) -> None:
        """Open the subscribe connection; fail with `BrokerUnavailable` if Redis does not answer.

        Failing here makes a wrong URL visible at boot rather than at the first publish.
        """
        # One immediate retry lets a publish survive a pooled socket that Redis closed.
        self._client = Redis.from_url(
            self.url,
            socket_timeout=self._publish_timeout,
            socket_connect_timeout=self._connect_timeout,
            retry=Retry(NoBackoff(), 1),
        )
        # No socket timeout: the subscribe connection is quiet for as long as the floor is.
        # RESP2 so that pub/sub traffic comes back from read_response() as plain replies
        # rather than through RESP3 push handlers.
        self._pool = ConnectionPool.from_url(
            self.url,
            protocol=2,
            socket_timeout=None,
            socket_connect_timeout=self._connect_timeout,
            socket_keepalive=True,
            retry=Retry(NoBackoff(), 0),
        )
        self._supervisor = asyncio.create_task(self._supervise(), name="redis-broker")
        try:
            async with asyncio.timeout(self._connect_timeout):
                await self._client.ping()
                await self.connected.wait()
        except (RedisError, OSError, TimeoutError) as exc:
            await self.disconnect()
            raise BrokerUnavailable(f"cannot reach Redis at {self.url}: {exc!r}") from exc

    async def disconnect(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        self._close_all()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._pool is not None:
            await self._pool.disconnect()
            self._pool = None

    async def publish(self, channel: str, message: str) -> None:
        if self._client is None:
            raise BrokerUnavailable("RedisBroker is not connected")
        try:
            async with asyncio.timeout(self._publish_timeout):
                await self._client.publish(channel, message)
        except (RedisError, OSError, TimeoutError) as exc:
            raise BrokerUnavailable(f"publish to {channel!r} failed: {exc!r}") from exc

    async def listened(self, channels: list[str]) -> set[str] | None:
        """``PUBSUB NUMSUB``: every process holds one Redis subscription per channel it has
        local subscribers on, so a count of 0 means no socket anywhere listens."""
        if self._client is None or not channels:
            return None
        try:
            async with asyncio.timeout(self._publish_timeout):
                counts = await self._client.pubsub_numsub(*channels)
        except (RedisError, OSError, TimeoutError):
            return None  # publish as if watched: the publish decides whether Redis is up
        return {
            name.decode() if isinstance(name, bytes) else str(name)
            for name, count in counts
            if int(count) > 0
        }

    async def _listen(self, channel: str) -> None:
        state = self._states.get(channel)
        if state is None:
            state = self._states[channel] = _ChannelState()
            if self._session is not None:
                self._session.subscribe(channel)
        if state.live.is_set():
            return
        if self._session is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._subscribe_timeout):
                    await state.live.wait()
                    return
        log.warning("channel %s not live yet; its subscribers will be resynced", channel)
        state.needs_resync = True

    def _unlisten(self, channel: str) -> None:
        if self._states.pop(channel, None) is not None and self._session is not None:
            self._session.unsubscribe(channel)

    def _on_message(self, channel: str, data: str) -> None:
        self._fan_out(channel, Message(channel, data))

    def _on_subscribed(self, channel: str) -> None:
        state = self._states.get(channel)
        if state is None:
            return
        state.live.set()
        if state.needs_resync:
            state.needs_resync = False
            self._fan_out(channel, Resync(channel, "reconnect"))

    async def _supervise(self) -> None:
        assert self._pool is not None
        failures = 0
        while True:
            connection = self._pool.make_connection()
            try:
                async with asyncio.timeout(self._connect_timeout):
                    await connection.connect()
                session = PubSubSession(
                    connection,
                    on_message=self._on_message,
                    on_subscribed=self._on_subscribed,
                    command_timeout=self._publish_timeout,
                    health_check_seconds=self._health_check_seconds,
                )
                self._session = session
                for channel in self._states:
                    session.subscribe(channel)
                self.connected.set()
                failures = 0
                await session.run()
            except Exception as exc:
                log.warning("Redis subscribe connection lost: %r", exc)
            finally:
                self._session = None
                self.connected.clear()
                for state in self._states.values():
                    state.live.clear()
                    state.needs_resync = True
                with contextlib.suppress(Exception):
                    await connection.disconnect(nowait=True)
            failures += 1
            await asyncio.sleep(self._delay(failures))

    def _delay(self, failures: int) -> float:
        initial, maximum = self._backoff
        return min(maximum, initial * 2 ** (failures - 1)) * random.uniform(0.5, 1.0)
