"""The race for a sitting's last covers, with real commits on PostgreSQL.

An empty sitting has no rows to lock, and parties going for its last covers are seated
on different tables, so neither the version claim nor the exclusion constraint stands
between them: the sitting's row lock does. The control takes it away and lines every
party up between its check and its write: the sitting is oversold.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import create_restaurant, open_restaurant_night
from venue.core import errors
from venue.core.actor import GUEST
from venue.core.clock import local_to_utc
from venue.dining import booking as dining
from venue.dining.rules import Period
from venue.models import OCCUPYING, Reservation, ReservationTable, Venue

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SAT = date(2026, 11, 21)
PARTIES = 12


async def make_world(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A sitting with 6 covers left on a floor with a table for every party: each party
    is seated at a table of its own (as the guests chose), so no table is contended and
    only the covers stand between them."""
    periods = [Period("Dinner", time(19, 0), time(19, 0), 6, weekday=SAT.weekday())]
    async with sessions() as s, s.begin():
        w = await create_restaurant(
            s, tables=[(f"T{i}", 1, 6) for i in range(PARTIES)], periods=periods
        )
        await open_restaurant_night(s, w, SAT, now=NOW)
        return w.venue.id, [t.id for t in w.tables]


async def attempt(
    sessions: async_sessionmaker[AsyncSession], venue_id: uuid.UUID, table_id: uuid.UUID | None
) -> str:
    try:
        async with sessions() as s, s.begin():
            venue = await s.get_one(Venue, venue_id)
            starts = local_to_utc(SAT, time(19, 0), venue.timezone)
            req = dining.PartyRequest(
                SAT, 6, starts_at=starts, table_ids=(table_id,) if table_id else ()
            )
            await dining.place(s, venue, req, GUEST, NOW)
        return "won"
    except errors.SittingFullCovers:
        return "full"


async def covers_held(sessions: async_sessionmaker[AsyncSession], venue_id: uuid.UUID) -> int:
    async with sessions() as s:
        return int(
            await s.scalar(
                select(func.coalesce(func.sum(Reservation.party_size), 0)).where(
                    Reservation.venue_id == venue_id,
                    Reservation.status.in_([x.value for x in OCCUPYING]),
                )
            )
            or 0
        )


async def test_last_covers_one_winner(pg_sessions: async_sessionmaker[AsyncSession]) -> None:
    venue_id, tables = await make_world(pg_sessions)
    outcome = Counter(await asyncio.gather(*(attempt(pg_sessions, venue_id, t) for t in tables)))
    assert outcome == Counter({"won": 1, "full": PARTIES - 1})
    assert await covers_held(pg_sessions, venue_id) == 6


async def test_last_covers_one_winner_when_the_venue_assigns(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, _ = await make_world(pg_sessions)
    outcome = Counter(
        await asyncio.gather(*(attempt(pg_sessions, venue_id, None) for _ in range(PARTIES)))
    )
    assert outcome == Counter({"won": 1, "full": PARTIES - 1})
    assert await covers_held(pg_sessions, venue_id) == 6


async def test_control_without_the_sitting_lock_the_sitting_is_oversold(
    pg_sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    venue_id, tables = await make_world(pg_sessions)
    barrier = asyncio.Barrier(PARTIES)
    original = dining._option

    async def no_lock(*_: object) -> None:
        return None

    async def check_then_wait(*args: object, **kw: object) -> object:
        option = await original(*args, **kw)  # type: ignore[arg-type]
        await barrier.wait()  # every party has counted the covers before anyone writes
        return option

    monkeypatch.setattr(dining, "lock_sitting", no_lock)
    monkeypatch.setattr(dining, "_option", check_then_wait)
    outcome = Counter(await asyncio.gather(*(attempt(pg_sessions, venue_id, t) for t in tables)))
    assert outcome["won"] > 1, outcome
    assert await covers_held(pg_sessions, venue_id) > 6
    # each table still has one party at most: the exclusion constraint held throughout
    async with pg_sessions() as s:
        per_table = await s.execute(
            select(ReservationTable.table_id, func.count())
            .join(Reservation, Reservation.id == ReservationTable.reservation_id)
            .where(Reservation.venue_id == venue_id)
            .group_by(ReservationTable.table_id)
        )
        assert all(n == 1 for _, n in per_table)
