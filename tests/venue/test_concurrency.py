"""Races with real commits on PostgreSQL: one table, many bookers, exactly one winner.

The control cases take each guard away in turn (the version claim, the exclusion
constraint, both) to show that the race is real and that each wall holds on its own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import create_night_for, create_venue
from tests.races import control_database, race
from venue.core import errors
from venue.core.actor import GUEST
from venue.floor import availability, quoting
from venue.models import ReservationTable, Status, Venue
from venue.reservations import booking
from venue.setup import venues

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SAT = date(2026, 11, 21)


async def make_world(
    sessions: async_sessionmaker[AsyncSession], tables: int
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    async with sessions() as s, s.begin():
        world = await create_venue(s, tables=tables)
        await create_night_for(s, world, SAT, now=NOW)
        return world.venue.id, [t.id for t in world.tables]


def guarded(
    sessions: async_sessionmaker[AsyncSession],
    venue_id: uuid.UUID,
    table_for: Callable[[int], uuid.UUID],
) -> Callable[[int], Awaitable[str]]:
    """The real booking transaction, one session and commit per attempt."""

    async def attempt(i: int) -> str:
        try:
            async with sessions() as s, s.begin():
                venue = await s.get_one(Venue, venue_id)
                req = booking.HoldRequest(SAT, [table_for(i)], 2)
                await booking.place_hold(s, venue, req, GUEST, NOW)
            return "won"
        except errors.TableUnavailable:
            return "409"

    return attempt


def naive(
    sessions: async_sessionmaker[AsyncSession],
    venue_id: uuid.UUID,
    table_id: uuid.UUID,
    barrier: asyncio.Barrier,
) -> Callable[[int], Awaitable[str]]:
    """Check, then write, without claiming the table's version: the bug the guards stop.
    The barrier lines every attempt up between its check and its write."""

    async def attempt(_: int) -> str:
        try:
            async with sessions() as s, s.begin():
                venue = await s.get_one(Venue, venue_id)
                night = await venues.night_on(s, venue, SAT)
                sitting = await venues.sitting_of(s, night, None)
                taken = await availability.occupying(
                    s, venue.tenant_id, [table_id], sitting.starts_at, sitting.ends_at, NOW
                )
                await barrier.wait()
                if taken:
                    return "409"
                rules = await venues.rules_of(s, venue)
                plan = await venues.active_plan(s, venue)
                tables = await availability.tables_of(s, venue, plan.id)
                state = await availability.night_state(s, venue, night, sitting, tables, NOW)
                prices = await quoting.pricing_rules(s, venue, rules, tables)
                quote = quoting.quote_night(prices, state, NOW).quotes[table_id]
                table = next(t for t in tables if t.id == table_id)
                req = booking.HoldRequest(SAT, [table_id], 2)
                await booking.insert_hold(
                    s, venue, req, sitting, [table], [quote], rules, GUEST, NOW
                )
            return "won"
        except errors.TableUnavailable as exc:
            assert isinstance(exc.__cause__, DBAPIError)
            return "constraint"

    return attempt


async def occupying_rows(sessions: async_sessionmaker[AsyncSession], table_id: uuid.UUID) -> int:
    async with sessions() as s:
        return int(
            await s.scalar(
                select(func.count()).where(
                    ReservationTable.table_id == table_id, ReservationTable.status == Status.HOLD
                )
            )
            or 0
        )


@pytest.fixture(scope="module")
async def control_sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A database built from the models alone: no exclusion constraint behind the app."""
    async with control_database("tables") as sessions:
        yield sessions


async def test_200_bookers_one_table_exactly_one_winner(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, tables = await make_world(pg_sessions, 2)
    outcome = await race(200, guarded(pg_sessions, venue_id, lambda _: tables[0]))
    assert outcome == Counter({"won": 1, "409": 199})
    assert await occupying_rows(pg_sessions, tables[0]) == 1


async def test_200_bookers_distinct_tables_all_win(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, tables = await make_world(pg_sessions, 200)
    outcome = await race(200, guarded(pg_sessions, venue_id, lambda i: tables[i]))
    assert outcome == Counter({"won": 200})


async def test_control_without_any_guard_the_race_double_books(
    control_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, tables = await make_world(control_sessions, 2)
    outcome = await race(30, naive(control_sessions, venue_id, tables[0], asyncio.Barrier(30)))
    assert outcome["won"] > 1, outcome
    assert await occupying_rows(control_sessions, tables[0]) == outcome["won"]


async def test_control_version_claim_alone_holds(
    control_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, tables = await make_world(control_sessions, 2)
    outcome = await race(50, guarded(control_sessions, venue_id, lambda _: tables[0]))
    assert outcome == Counter({"won": 1, "409": 49})


async def test_control_exclusion_constraint_alone_holds(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, tables = await make_world(pg_sessions, 2)
    outcome = await race(30, naive(pg_sessions, venue_id, tables[0], asyncio.Barrier(30)))
    assert outcome == Counter({"won": 1, "constraint": 29})
    assert await occupying_rows(pg_sessions, tables[0]) == 1
