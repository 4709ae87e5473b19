"""The outbox relay: after commit, publish what changed; the one way anything reaches a socket.

Each pass claims unpublished outbox rows and publishes, per thing they touch:

* a night (``night:<id>``): the floor of every sitting of that night, recomputed from the
  database (the truth, not the event), on ``floor:<sitting>``: the state and price of the
  tables. One process per deployment relays (realtime/leader.py: an advisory lock on
  PostgreSQL), so the relay's memory of what it last sent on a channel is what every
  client has been sent: it publishes only the tables whose state or price changed since
  (nothing at all when none did), and everything when it has no memory of the sitting
  (just became the relay, or a publish may have failed half-way). Without an exclusive
  leadership (several processes on SQLite) it publishes every table every time. A sitting
  nobody watches (no subscriber in any process: ``Broker.listened``, Redis ``PUBSUB
  NUMSUB``) is not computed at all, and its memory is dropped so its next publication is
  whole; a socket that subscribes later loads a snapshot that already has the change.
  Whatever the number of nights in a pass, their sittings (with night and venue) come in
  one query and who listens in one ``listened`` call, before any floor is computed.
* a tenant's commission ledger (``commissions:<tenant>``, written by the commission
  consumer with the lines it appended): the new lines on ``ledger:<tenant>`` for finance
  and managers, and each host's own lines on ``ledger:<tenant>:<host>``. Lines are
  append-only, so the event is the truth.

Then it marks the rows published.

Publishing happens before the mark commits, so a crash in between publishes again (at
least once); floor deltas carry absolute values and commission lines their ids, so
applying one twice is harmless. A burst of
bookings on one night becomes one delta, a burst of lines of one tenant one message.

One venue cannot stop the others: each watched night (and each tenant's ledger) is
computed and published in its own savepoint, and whatever goes wrong there is charged to
its events alone. They are retried with exponential backoff and, after ``max_attempts``, set aside
with their error (counted in ``maitre_outbox_events_set_aside_total``, listed for the
tenant's staff, who can retry them), while everything else keeps being published. A
broker outage is nobody's fault: it fails the whole pass, charges no event, and the next
pass tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import orjson
from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.core.channels import commissions_of, floor_channel, ledger_channel, night_of
from venue.floor import floormap
from venue.journal import outbox
from venue.models import Night, OutboxEvent, Sitting, Venue
from venue.setup import venues

from .base import Broker, BrokerUnavailable
from .leader import Leadership, SoleLeadership

log = logging.getLogger("maitre.relay")
TableView = dict[str, Any]

FAILED = Counter(
    "maitre_outbox_relay_failures",
    "Outbox events whose night could not be relayed on one attempt (retried later)",
    ["topic"],
)
SET_ASIDE = Counter(
    "maitre_outbox_events_set_aside",
    "Outbox events the relay stopped retrying after repeated failures (staff can retry)",
    ["topic"],
)

LAG = Histogram(
    "maitre_outbox_relay_lag_seconds",
    "From an outbox event's commit to its publication by the relay.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 300),
)
PASS_SECONDS = Histogram(
    "maitre_outbox_relay_pass_seconds",
    "Duration of one relay pass (claim, recompute, publish, mark).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
PARKED = Gauge(
    "maitre_outbox_events_parked",
    "Outbox events set aside and not yet retried (read by the relay every minute).",
)
TABLES_SENT = Counter(
    "maitre_relay_tables_published_total",
    "Table states published on floor channels (one per table per message).",
)
UNWATCHED = Counter(
    "maitre_relay_unwatched_floors_skipped_total",
    "Sittings whose floor the relay did not recompute because no socket listened.",
)


@dataclass(slots=True)
class _Floors:
    """A night of the pass: its venue, its sittings, and those someone watches."""

    venue: Venue
    night: Night
    sittings: list[Sitting]
    watched: list[Sitting]


def compact(floor: dict[str, Any]) -> dict[str, TableView]:
    return {
        t["id"]: {
            "id": t["id"],
            "state": t["state"],
            "minimum": t["minimum"],
            "deposit": t["deposit"],
            "unavailable_reason": t["unavailable_reason"],
        }
        for t in floor["tables"]
    }


class OutboxRelay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        broker: Broker,
        clock: Callable[[], datetime],
        *,
        interval: float = 0.5,
        coalesce: float = 0.0,
        max_attempts: int = 8,
        backoff_first: timedelta = timedelta(seconds=2),
        backoff_max: timedelta = timedelta(minutes=5),
    ) -> None:
        self._sessions = sessions
        self._broker = broker
        self._clock = clock
        self._interval = interval
        self._coalesce = coalesce
        self._wake = asyncio.Event()
        self._stopping = False
        self.max_attempts = max_attempts
        self._backoff = (backoff_first, backoff_max)
        self.leadership: Leadership = SoleLeadership()
        # sitting -> (tables_free, table id -> view) as last published (exclusive relays)
        self._sent: dict[uuid.UUID, tuple[int, dict[str, TableView]]] = {}
        self._parked_read = 0.0

    def use(self, leadership: Leadership) -> None:
        """Relay only while `leadership` says this process is the relay."""
        self.leadership = leadership

    def backoff(self, attempts: int) -> timedelta:
        """How long an event waits after its ``attempts``-th failed attempt."""
        first, most = self._backoff
        return min(most, first * 2 ** min(attempts - 1, 30))

    def wake(self) -> None:
        """Called after a commit in this process: relay now rather than at the next tick."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the pass under way, then return from ``run_forever``: cancelling a pass
        mid-transaction would leave its connection (on SQLite, the write lock) behind."""
        self._stopping = True
        self._wake.set()

    async def run_forever(self) -> None:
        self._stopping = False
        try:
            while not self._stopping:
                self._wake.clear()  # before the pass: a commit during it wakes the next one
                try:
                    if await self.leadership.acquire():
                        while not self._stopping and await self.relay_once():
                            pass
                        await self._read_parked()
                    else:
                        self._sent.clear()  # another process publishes meanwhile
                except Exception:
                    log.exception("outbox relay pass failed; will retry")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._interval)
                    if self._stopping:
                        return
                    if self._coalesce:
                        await asyncio.sleep(self._coalesce)
        finally:
            await self.leadership.release()

    async def relay_once(self) -> int:
        """One pass over the due events; returns how many were claimed (published, or
        failed and rescheduled), 0 when there was nothing to do."""
        if not await self.leadership.confirm():
            self._sent.clear()
            return 0
        started = time.perf_counter()
        failed: list[OutboxEvent] = []
        aside: list[OutboxEvent] = []
        async with self._sessions() as session, session.begin():
            now = self._clock()
            events = await outbox.claim(session, now)
            if not events:
                return 0
            by_night: dict[uuid.UUID, list[OutboxEvent]] = {}
            by_tenant: dict[uuid.UUID, list[OutboxEvent]] = {}
            done: list[OutboxEvent] = []
            for e in events:
                if (night := night_of(e.channel)) is not None:
                    by_night.setdefault(night, []).append(e)
                elif (tenant := commissions_of(e.channel)) is not None:
                    by_tenant.setdefault(tenant, []).append(e)
                else:
                    done.append(e)
            # One query for the sittings of every night of the pass and one question to
            # the broker for all their channels; a night nobody watches is done here.
            floors = await self._watched_floors(session, list(by_night))
            targets: list[tuple[str, list[OutboxEvent], Callable[[], Awaitable[None]]]] = []
            for n, group in sorted(by_night.items()):
                if (floor := floors.get(n)) is None:
                    done.extend(group)
                else:
                    job = partial(self._publish_night, session, floor, now)
                    targets.append((f"night {n}", group, job))
            targets.extend(
                (f"commissions of {t}", group, partial(self._publish_commissions, t, group, now))
                for t, group in sorted(by_tenant.items())
            )
            for what, group, publish in targets:
                error = await self._publish_isolated(session, what, publish)
                if error is None:
                    done.extend(group)
                else:
                    failed.extend(group)
                    aside.extend(await self._charge(session, group, error, now))
            await outbox.mark_published(session, done, now)
        # Counted once the transaction that records them has committed.
        PASS_SECONDS.observe(time.perf_counter() - started)
        for e in done:
            LAG.observe(max((now - e.at).total_seconds(), 0.0))
        for e in failed:
            FAILED.labels(topic=e.topic).inc()
        for e in aside:
            SET_ASIDE.labels(topic=e.topic).inc()
        return len(events)

    async def _publish_isolated(
        self, session: AsyncSession, what: str, publish: Callable[[], Awaitable[None]]
    ) -> str | None:
        """Publish one night's floors (or one tenant's lines); return the error if it failed."""
        try:
            async with session.begin_nested():  # a failed statement spoils only this target
                await publish()
        except BrokerUnavailable:
            raise  # everyone's problem: fail the pass, charge no event
        except Exception as exc:
            log.exception("outbox relay could not publish %s; it will be retried", what)
            return f"{type(exc).__name__}: {exc}"
        return None

    async def _charge(
        self, session: AsyncSession, events: list[OutboxEvent], error: str, now: datetime
    ) -> list[OutboxEvent]:
        """Record a failed attempt on each event: back off, or set it aside after the last
        attempt. Returns the events set aside."""
        aside = [e for e in events if e.attempts + 1 >= self.max_attempts]
        await outbox.set_aside(session, aside, error, now)
        waiting: dict[int, list[OutboxEvent]] = {}
        for e in events:
            if e.attempts + 1 < self.max_attempts:
                waiting.setdefault(e.attempts + 1, []).append(e)
        for attempts, group in waiting.items():
            await outbox.defer(session, group, error, now + self.backoff(attempts))
        if aside:
            log.error(
                "outbox relay set aside %d event(s) after %d attempts: %s",
                len(aside),
                self.max_attempts,
                error,
            )
        return aside

    async def _watched_floors(
        self, session: AsyncSession, night_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, _Floors]:
        """The nights among `night_ids` with a floor someone watches, with those sittings.

        A fixed number of round trips per pass, however many nights it touched: one query
        for the sittings (with night and venue) of all of them, one `Broker.listened` for
        all their channels. Part of the pass, not of a night: if it fails, the pass fails
        and charges no event (nothing in it is about one night)."""
        rows = [
            row
            for row in await venues.sittings_of_nights(session, night_ids)
            if row[2].mode != "appointments"  # no floor: the staff day view reads on demand
        ]
        if not rows:
            return {}
        channels = [floor_channel(sitting.id) for sitting, _, _ in rows]
        watched = await self._broker.listened(channels)
        floors: dict[uuid.UUID, _Floors] = {}
        for sitting, night, venue in rows:
            floor = floors.get(night.id)
            if floor is None:
                floor = floors[night.id] = _Floors(venue, night, [], [])
            floor.sittings.append(sitting)
            if watched is None or floor_channel(sitting.id) in watched:
                floor.watched.append(sitting)
            else:
                # Nobody anywhere watches this floor: a socket that comes later loads a
                # snapshot that already has the change. Forget what we sent, so its next
                # publication is whole.
                self._sent.pop(sitting.id, None)
                UNWATCHED.inc()
        return {n: floor for n, floor in floors.items() if floor.watched}

    async def _publish_night(self, session: AsyncSession, floors: _Floors, now: datetime) -> None:
        venue, night = floors.venue, floors.night
        for sitting in floors.watched:
            floor = await floormap.floor_map(
                session, venue, night, sitting.id, now, sittings=floors.sittings
            )
            tables = compact(floor)
            free = floor["night"]["tables_free"]
            changed = list(tables.values())
            if self.leadership.exclusive:
                before = self._sent.pop(sitting.id, None)  # back only once published
                if before is not None:
                    changed = [v for k, v in tables.items() if before[1].get(k) != v]
                    if not changed and free == before[0]:
                        self._sent[sitting.id] = before
                        continue
            message = {
                "type": "tables",
                "sitting_id": str(sitting.id),
                "tables": changed,
                "tables_free": free,
                "at": now.isoformat(),
            }
            await self._broker.publish(floor_channel(sitting.id), orjson.dumps(message).decode())
            TABLES_SENT.inc(len(changed))
            if self.leadership.exclusive:
                if len(self._sent) > 5000:  # past nights: forget them all, resend in full
                    self._sent.clear()
                self._sent[sitting.id] = (free, tables)

    async def _read_parked(self) -> None:
        if time.monotonic() - self._parked_read < 60:
            return
        self._parked_read = time.monotonic()
        async with self._sessions() as session:
            PARKED.set(await outbox.parked_count(session))

    async def _publish_commissions(
        self, tenant_id: uuid.UUID, events: list[OutboxEvent], now: datetime
    ) -> None:
        lines: list[dict[str, Any]] = [
            line for e in events for line in (e.payload or {}).get("entries", [])
        ]
        if not lines:
            return
        by_host: dict[str, list[dict[str, Any]]] = {}
        for line in lines:
            by_host.setdefault(str(line["host_id"]), []).append(line)
        feeds = [(ledger_channel(tenant_id), lines)] + [
            (ledger_channel(tenant_id, host_id), mine) for host_id, mine in sorted(by_host.items())
        ]
        for channel, entries in feeds:
            message = {"type": "entries", "entries": entries, "at": now.isoformat()}
            await self._broker.publish(channel, orjson.dumps(message).decode())
