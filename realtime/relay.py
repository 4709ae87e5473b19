"""The outbox relay: after commit, publish what changed; the one way anything reaches a socket.

Each pass claims unpublished outbox rows and publishes, per thing they touch:

* a night (``night:<id>``): the floor of every sitting of that night, recomputed from the
  database (the truth, not the event): the state and price of every table of each sitting
  on ``floor:<sitting>``. (An earlier version sent only what changed since this relay's
  last look; with a relay per process that memory is stale whenever another process
  published, and a change back went unsent.)
* a tenant's commission ledger (``commissions:<tenant>``, written by the commission
  consumer with the lines it appended): the new lines on ``ledger:<tenant>`` for finance
  and managers, and each host's own lines on ``ledger:<tenant>:<host>``. Lines are
  append-only, so the event is the truth.

Then it marks the rows published.

Publishing happens before the mark commits, so a crash in between publishes again (at
least once); floor deltas carry absolute values and commission lines their ids, so
applying one twice is harmless. A burst of
bookings on one night becomes one delta, a burst of lines of one tenant one message.

One venue cannot stop the others: each night (and each tenant's ledger) is computed and
published in its own savepoint, and whatever goes wrong there is charged to its events
alone. They are retried with exponential backoff and, after ``max_attempts``, set aside
with their error (counted in ``maitre_outbox_events_set_aside_total``, listed for the
tenant's staff, who can retry them), while everything else keeps being published. A
broker outage is nobody's fault: it fails the whole pass, charges no event, and the next
pass tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.core.channels import commissions_of, floor_channel, ledger_channel, night_of
from venue.floor import floormap
from venue.journal import outbox
from venue.models import OutboxEvent
from venue.setup import venues

from .base import Broker, BrokerUnavailable

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
        coalesce: float = 0.1,
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
        while not self._stopping:
            self._wake.clear()  # before the pass: a commit during it wakes the next one
            try:
                while not self._stopping and await self.relay_once():
                    pass
            except Exception:
                log.exception("outbox relay pass failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
                if self._stopping:
                    return
                # Woken by a commit: let the commits of the next moment join this pass.
                # A pass costs a floor recomputation per night, not per booking, so under
                # load this turns one recomputation per commit into one per 100 ms.
                await asyncio.sleep(self._coalesce)

    async def relay_once(self) -> int:
        """One pass over the due events; returns how many were claimed (published, or
        failed and rescheduled), 0 when there was nothing to do."""
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
            targets: list[tuple[str, list[OutboxEvent], Callable[[], Awaitable[None]]]] = []
            targets.extend(
                (f"night {n}", group, partial(self._publish_night, session, n, now))
                for n, group in sorted(by_night.items())
            )
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

    async def _publish_night(
        self, session: AsyncSession, night_id: uuid.UUID, now: datetime
    ) -> None:
        found = await venues.night_and_venue(session, night_id)
        if found is None:
            return
        night, venue = found
        if venue.mode == "appointments":  # no floor: the staff day view reads on demand
            return
        for sitting in await venues.sittings_of(session, night):
            floor = await floormap.floor_map(session, venue, night, sitting.id, now)
            # Every table, every time: relays in other processes publish changes too, so
            # no relay's memory of "what clients have" can be trusted to diff against.
            message = {
                "type": "tables",
                "sitting_id": str(sitting.id),
                "tables": list(compact(floor).values()),
                "tables_free": floor["night"]["tables_free"],
                "at": now.isoformat(),
            }
            await self._broker.publish(
                floor_channel(sitting.id), json.dumps(message, separators=(",", ":"))
            )

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
            await self._broker.publish(channel, json.dumps(message, separators=(",", ":")))
