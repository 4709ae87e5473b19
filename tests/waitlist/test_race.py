"""An offer racing a guest's booking of the same table, with real commits on PostgreSQL:
one winner. Offers go through the one claim path, so the race is the one the booking
suite already proves; the control case shows it is real for the waitlist's own check
(free tables that fit) when that claim is taken away."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import create_night_for, create_venue
from tests.races import control_database
from venue.core import errors
from venue.core.actor import GUEST, SYSTEM
from venue.floor import availability, quoting
from venue.models import ReservationTable, Status, Venue, WaitlistEntry, WaitlistOffer
from venue.reservations import booking
from venue.setup import venues
from venue.waitlist import entries, offers

from .helpers import NOW, SAT, SECRET

pytestmark = pytest.mark.postgres


async def make_world(
    sessions: async_sessionmaker[AsyncSession], waiting: int
) -> tuple[uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    """One free table (T1, for two), and ``waiting`` parties of two on the waitlist."""
    async with sessions() as s, s.begin():
        world = await create_venue(s, tables=1, seats=(1, 2))
        await create_night_for(s, world, SAT, now=NOW)
        ids = []
        for i in range(waiting):
            req = entries.JoinRequest(SAT, 2, f"W{i}", f"w{i}@example.com", None)
            ids.append((await entries.join(s, world.venue, req, GUEST, NOW)).entry.id)
        return world.venue.id, world.tables[0].id, ids


async def occupying(sessions: async_sessionmaker[AsyncSession], table_id: uuid.UUID) -> int:
    async with sessions() as s:
        n = await s.scalar(
            select(func.count()).where(
                ReservationTable.table_id == table_id, ReservationTable.status == Status.HOLD
            )
        )
        return int(n or 0)


def guest(
    sessions: async_sessionmaker[AsyncSession], venue_id: uuid.UUID, table_id: uuid.UUID
) -> Callable[[], Awaitable[str]]:
    async def attempt() -> str:
        try:
            async with sessions() as s, s.begin():
                venue = await s.get_one(Venue, venue_id)
                req = booking.HoldRequest(SAT, [table_id], 2)
                await booking.place_hold(s, venue, req, GUEST, NOW)
            return "guest"
        except errors.TableUnavailable:
            return "409"

    return attempt


def offer(
    sessions: async_sessionmaker[AsyncSession], venue_id: uuid.UUID, entry_id: uuid.UUID
) -> Callable[[], Awaitable[str]]:
    async def attempt() -> str:
        try:
            async with sessions() as s, s.begin():
                venue = await s.get_one(Venue, venue_id)
                entry = await s.get_one(WaitlistEntry, entry_id)
                await offers.offer_to(s, venue, entry, NOW, SECRET, SYSTEM)
            return "offer"
        except (errors.TableUnavailable, offers.NothingFits, errors.StaleReservation):
            return "409"

    return attempt


@pytest.fixture(scope="module")
async def control_sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A database built from the models alone: no exclusion constraint behind the app."""
    async with control_database("waitlist") as sessions:
        yield sessions


@pytest.mark.parametrize("round_", range(4))
async def test_an_offer_racing_guests_for_one_table_has_one_winner(
    pg_sessions: async_sessionmaker[AsyncSession], round_: int
) -> None:
    venue_id, table_id, [entry_id] = await make_world(pg_sessions, 1)
    racers = [guest(pg_sessions, venue_id, table_id) for _ in range(20)]
    racers.insert(round_ * 5, offer(pg_sessions, venue_id, entry_id))
    outcome = Counter(await asyncio.gather(*(r() for r in racers)))
    assert outcome["guest"] + outcome["offer"] == 1, outcome
    assert outcome["409"] == 20
    assert await occupying(pg_sessions, table_id) == 1


async def test_many_workers_offering_one_table_make_one_offer(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, table_id, _ = await make_world(pg_sessions, 10)

    async def fill() -> int:
        async with pg_sessions() as s, s.begin():
            venue = await s.get_one(Venue, venue_id)
            night = await venues.night_on(s, venue, SAT)
            return len(await offers.fill_night(s, venue, night, NOW, SECRET))

    made = await asyncio.gather(*(fill() for _ in range(10)))
    assert sum(made) == 1
    assert await occupying(pg_sessions, table_id) == 1
    async with pg_sessions() as s:
        n = await s.scalar(select(func.count()).where(WaitlistOffer.venue_id == venue_id))
    assert n == 1


def naive_offer(
    sessions: async_sessionmaker[AsyncSession],
    venue_id: uuid.UUID,
    entry_id: uuid.UUID,
    barrier: asyncio.Barrier,
) -> Callable[[], Awaitable[str]]:
    """The waitlist's own check (a free table that fits), then the hold's rows, with no
    claim: the bug the claim stops. The barrier lines every racer up between the two."""

    async def attempt() -> str:
        async with sessions() as s, s.begin():
            venue = await s.get_one(Venue, venue_id)
            entry = await s.get_one(WaitlistEntry, entry_id)
            night = await venues.night_on(s, venue, SAT)
            sitting = await venues.sitting_of(s, night, None)
            free, links = await offers._free_tables(s, venue, night, sitting, NOW)
            sets = offers.fitting_sets(entry, free, links)
            await barrier.wait()
            if not sets:
                return "409"
            await _insert_hold(s, venue, sets[0][0].id, night, sitting)
        return "offer"

    return attempt


def naive_guest(
    sessions: async_sessionmaker[AsyncSession],
    venue_id: uuid.UUID,
    table_id: uuid.UUID,
    barrier: asyncio.Barrier,
) -> Callable[[], Awaitable[str]]:
    async def attempt() -> str:
        async with sessions() as s, s.begin():
            venue = await s.get_one(Venue, venue_id)
            night = await venues.night_on(s, venue, SAT)
            sitting = await venues.sitting_of(s, night, None)
            free, _ = await offers._free_tables(s, venue, night, sitting, NOW)
            await barrier.wait()
            if table_id not in {t.id for t in free}:
                return "409"
            await _insert_hold(s, venue, table_id, night, sitting)
        return "guest"

    return attempt


async def _insert_hold(
    s: AsyncSession, venue: Venue, table_id: uuid.UUID, night: object, sitting: object
) -> None:
    rules = await venues.rules_of(s, venue)
    plan = await venues.active_plan(s, venue)
    tables = await availability.tables_of(s, venue, plan.id)
    state = await availability.night_state(s, venue, night, sitting, tables, NOW)  # type: ignore[arg-type]
    prices = await quoting.pricing_rules(s, venue, rules, tables)
    quote = quoting.quote_night(prices, state, NOW).quotes[table_id]
    table = next(t for t in tables if t.id == table_id)
    req = booking.HoldRequest(SAT, [table_id], 2)
    await booking.insert_hold(s, venue, req, sitting, [table], [quote], rules, GUEST, NOW)  # type: ignore[arg-type]


async def test_control_without_the_claim_an_offer_and_guests_double_book(
    control_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, table_id, [entry_id] = await make_world(control_sessions, 1)
    barrier = asyncio.Barrier(11)
    racers = [naive_guest(control_sessions, venue_id, table_id, barrier) for _ in range(10)]
    racers.append(naive_offer(control_sessions, venue_id, entry_id, barrier))
    outcome = Counter(await asyncio.gather(*(r() for r in racers)))
    assert outcome["offer"] == 1 and outcome["guest"] == 10, outcome
    assert await occupying(control_sessions, table_id) == 11
