"""Who runs the outbox relay: one process per deployment, and how it hears of commits.

With several app processes and workers, every process used to run its own relay, and each
relay recomputed the floor of every night a commit touched: the same work once per process.
Now one relay publishes and the others stand by:

* `PostgresLeadership` holds a session-level advisory lock (``pg_try_advisory_lock``) on a
  connection of its own, outside the pool. Whoever holds it is the relay; the others try
  again every relay interval, so when the leader's process dies (its connection closes and
  PostgreSQL releases the lock) another one takes over within an interval. On the same
  connection it LISTENs on ``maitre_outbox``: a trigger on ``outbox_events`` (migration
  0018) notifies that channel when a transaction that wrote events commits, so the leader
  relays a commit made by any process at once, not at its next tick. PostgreSQL delivers a
  notification only after the commit, which keeps "nothing published before commit".
* `SoleLeadership` is the single-process case (SQLite, tests that drive a relay by hand):
  always the relay, woken only by its own process.

Because only the leader publishes floors, it may remember what it sent and publish only the
tables that changed (realtime/relay.py). `exclusive` says whether that memory can be
trusted: it is for `PostgresLeadership`, and for `SoleLeadership` only when the caller says
so (several processes on one SQLite file would each run a relay).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from prometheus_client import Gauge
from sqlalchemy.engine import make_url

log = logging.getLogger("maitre.relay")

NOTIFY_CHANNEL = "maitre_outbox"
# Any fixed 64-bit number, the same in every process of a deployment (one database).
LOCK_KEY = 0x6D61_6974_7265_0001

LEADER = Gauge(
    "maitre_outbox_relay_leader",
    "1 while this process holds the relay's advisory lock (the one relay that publishes).",
)


class Leadership:
    exclusive: bool = False

    async def acquire(self) -> bool:
        """Become (or stay) the relay if possible; True while this process is it."""
        raise NotImplementedError

    async def confirm(self) -> bool:
        """Still the relay right now (checked before each pass publishes)?"""
        raise NotImplementedError

    async def release(self) -> None:
        raise NotImplementedError


class SoleLeadership(Leadership):
    def __init__(self, *, exclusive: bool = False) -> None:
        self.exclusive = exclusive

    async def acquire(self) -> bool:
        return True

    async def confirm(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class PostgresLeadership(Leadership):
    """The advisory lock and LISTEN connection of one process (asyncpg, outside the pool)."""

    exclusive = True

    def __init__(self, url: str, on_notify: Callable[[], None], *, timeout: float = 2.0) -> None:
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_notify = on_notify
        self._timeout = timeout
        self._conn: Any = None  # asyncpg.Connection: holds the lock, or asks for it
        self.held = False

    async def acquire(self) -> bool:
        """Try the lock (a standby keeps its connection and asks again each interval).
        Once held, True without a round trip: each pass confirms before it publishes."""
        if self.held:
            return True
        try:
            if self._conn is None or self._conn.is_closed():
                import asyncpg  # type: ignore[import-untyped]

                self._conn = await asyncpg.connect(self._dsn, timeout=self._timeout)
            async with asyncio.timeout(self._timeout):
                if not await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
                    return False
                await self._conn.add_listener(NOTIFY_CHANNEL, self._notified)
        except Exception as exc:
            log.warning("relay leadership: cannot reach PostgreSQL (%s)", exc)
            self._drop()
            return False
        self.held = True
        LEADER.set(1)
        log.info("this process is now the outbox relay")
        # Anything committed before we listened is found by the first pass.
        self._on_notify()
        return True

    async def confirm(self) -> bool:
        """One round trip on the lock's connection: while it answers, the lock is ours
        (PostgreSQL releases a session lock only when its session ends)."""
        conn = self._conn
        if conn is None or not self.held:
            return False
        try:
            async with asyncio.timeout(self._timeout):
                await conn.fetchval("SELECT 1")
        except Exception as exc:
            log.warning("relay leadership lost (%s)", exc)
            self._drop()
            return False
        return True

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        self._drop()
        if conn is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(self._timeout):
                    await conn.close()  # ends the session: the lock goes with it

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(Exception):
                conn.terminate()
        if self.held:
            LEADER.set(0)
        self.held = False

    def _notified(self, *_args: Any) -> None:
        self._on_notify()


def leadership_for(
    url: str, on_notify: Callable[[], None], *, exclusive: bool = False
) -> Leadership:
    """`PostgresLeadership` on PostgreSQL, else `SoleLeadership` (SQLite: one process)."""
    if make_url(url).get_backend_name() == "postgresql":
        return PostgresLeadership(url, on_notify)
    return SoleLeadership(exclusive=exclusive)
