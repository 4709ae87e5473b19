"""The waitlist's outbox consumer: a freed table is offered after the freeing commit.

It reads the events that can free a table (a cancellation, an expiry, a no-show, a move
or reschedule away, a block removed, the floor plan changed, an offer declined) and the
joins, each exactly once (``OutboxConsumption`` under its own consumer name, as the mail
planner and the commission ledger do). Events only exist once their transaction has
committed, so an offer never precedes the freeing it reacts to. For each night touched
it closes offers whose hold lapsed, then fills the night (``offers.fill_night``), which
reads the floor as it is: replaying an event, or two workers at once, cannot make two
offers of one table (offers are holds through the one claim path).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.core.channels import night_of
from venue.journal import outbox
from venue.models import Night, OutboxConsumption, OutboxEvent, Reservation, Status, Venue

from . import offers

log = logging.getLogger("maitre.waitlist")

CONSUMER = "waitlist"
WINDOW = timedelta(days=3)
TOPICS = (
    "reservation.cancelled",
    "reservation.expired",
    "reservation.no_show",
    "reservation.moved",
    "reservation.rescheduled_from",
    "table.unblocked",
    "floor_plan.changed",
    "waitlist.joined",
    "waitlist.offer_declined",
    "waitlist.offer_withdrawn",
)


async def _claim_event(session: AsyncSession, event_id: int, now: datetime) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING: True for the one consumer that claimed it."""
    mod = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = mod.insert(OutboxConsumption).values(consumer=CONSUMER, event_id=event_id, at=now)
    result = await session.execute(stmt.on_conflict_do_nothing())
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def pending_events(session: AsyncSession, now: datetime, limit: int) -> list[OutboxEvent]:
    consumed = exists().where(
        OutboxConsumption.consumer == CONSUMER, OutboxConsumption.event_id == OutboxEvent.id
    )
    rows = await session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.at >= now - WINDOW, OutboxEvent.topic.in_(TOPICS), ~consumed)
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    return list(rows)


async def consume_once(
    session: AsyncSession, now: datetime, secret: str, limit: int = 200
) -> tuple[int, list[offers.Offered]]:
    """Consume up to ``limit`` events in the caller's transaction: (events seen, offers)."""
    if not await outbox.take_turn(session, CONSUMER):
        return 0, []
    events = await pending_events(session, now, limit)
    nights: set[uuid.UUID] = set()
    for event in events:
        if not await _claim_event(session, event.id, now):
            continue
        if event.topic == "reservation.expired":
            rid = event.payload.get("id")
            res = await session.get(Reservation, uuid.UUID(str(rid))) if rid else None
            if res is not None and res.status == Status.EXPIRED:
                await offers.settle_lapsed(session, res, now)
        night_id = night_of(event.channel)
        if night_id is not None:
            nights.add(night_id)
    made: list[offers.Offered] = []
    for night_id in sorted(nights):
        made += await fill(session, night_id, now, secret)
    return len(events), made


async def fill(
    session: AsyncSession, night_id: uuid.UUID, now: datetime, secret: str
) -> list[offers.Offered]:
    """Fill one night; a failure there is logged and never stops the other venues'."""
    night = await session.get(Night, night_id)
    if night is None:
        return []
    venue = await session.get_one(Venue, night.venue_id)
    try:
        async with session.begin_nested():
            return await offers.fill_night(session, venue, night, now, secret)
    except Exception:
        log.exception("waitlist: filling night %s failed", night_id)
        return []


class WaitlistLoop:
    """Run the consumer: ``maitre serve`` and ``maitre worker`` each run one; any number
    may run at once (the consumption rows make each event theirs once)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        secret: str,
        *,
        on_commit: Callable[[], None] | None = None,
        interval: float = 1.0,
        batch: int = 200,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._secret = secret
        self._on_commit = on_commit
        self._interval = interval
        self._batch = batch

    async def run_forever(self) -> None:
        while True:
            try:
                while await self.run_once():
                    pass
            except Exception:
                log.exception("waitlist pass failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.sleep(self._interval)

    async def run_once(self) -> int:
        """One batch: returns how many events it consumed."""
        async with self._sessions() as session, session.begin():
            seen, made = await consume_once(session, self._clock(), self._secret, self._batch)
        if made and self._on_commit is not None:
            self._on_commit()
        return seen
