"""A series creation and a guest's hold going for the same table and night, with real
commits on PostgreSQL: one winner. The series plans (and sees the table free), the
guest's hold commits, then the series books: its claim re-reads and reports that night
as taken while the rest of the series commits. The control case takes the claim away
(a series that books what its plan saw, on a database without the exclusion
constraint): the same interleaving double-books, so the race is real."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import create_night_for, create_venue
from tests.races import control_database
from venue.core import errors
from venue.core.actor import GUEST, Actor
from venue.floor import quoting
from venue.models import ReservationTable, Venue
from venue.reservations import booking, series
from venue.setup import venues

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
THU = [date(2026, 12, 3), date(2026, 12, 10)]
STAFF = Actor("staff", "race")


async def make_world(sessions: async_sessionmaker[AsyncSession]) -> tuple[uuid.UUID, uuid.UUID]:
    async with sessions() as s, s.begin():
        world = await create_venue(s, tables=3)
        for day in THU:
            await create_night_for(s, world, day, now=NOW)
        return world.venue.id, world.table("T1").id


def request(table_id: uuid.UUID) -> series.SeriesRequest:
    return series.SeriesRequest(
        rule=series.Rule(freq="weekly", weekday=3, starts_on=THU[0], occurrences=2),
        table_ids=[table_id],
        party_size=2,
        guest_name="Grace Hopper",
        guest_email="grace@example.com",
    )


async def on_table(sessions: async_sessionmaker[AsyncSession], table_id: uuid.UUID) -> int:
    async with sessions() as s:
        return int(
            await s.scalar(
                select(func.count()).where(
                    ReservationTable.table_id == table_id,
                    ReservationTable.status.in_(["hold", "confirmed"]),
                    ReservationTable.starts_at < datetime(2026, 12, 5, tzinfo=UTC),
                )
            )
            or 0
        )


async def guest_hold(
    sessions: async_sessionmaker[AsyncSession], venue_id: uuid.UUID, table_id: uuid.UUID
) -> str:
    try:
        async with sessions() as s, s.begin():
            venue = await s.get_one(Venue, venue_id)
            await booking.place_hold(
                s, venue, booking.HoldRequest(THU[0], [table_id], 2), GUEST, NOW
            )
        return "won"
    except errors.TableUnavailable:
        return "409"


def after_plan(monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """Pause the series between its plan and its bookings."""
    planned, go_on = asyncio.Event(), asyncio.Event()
    original = series.plan

    async def paused(*args: Any, **kwargs: Any) -> series.Plan:
        out = await original(*args, **kwargs)
        planned.set()
        await go_on.wait()
        return out

    monkeypatch.setattr(series, "plan", paused)
    return planned, go_on


async def test_the_guest_wins_between_plan_and_booking_the_series_reports_it(
    pg_sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    venue_id, t1 = await make_world(pg_sessions)
    planned, go_on = after_plan(monkeypatch)

    async def create() -> series.Created:
        async with pg_sessions() as s, s.begin():
            venue = await s.get_one(Venue, venue_id)
            return await series.create(s, venue, request(t1), STAFF, NOW)

    task = asyncio.create_task(create())
    await planned.wait()
    assert await guest_hold(pg_sessions, venue_id, t1) == "won"
    go_on.set()
    done = await task
    first, second = done.occurrences
    assert first.reservation is None and first.reason == "table_unavailable"
    assert second.reservation is not None
    assert await on_table(pg_sessions, t1) == 1
    assert [u["date"] for u in done.series.unbooked] == [THU[0].isoformat()]


async def test_racing_at_once_one_winner(pg_sessions: async_sessionmaker[AsyncSession]) -> None:
    for _ in range(5):
        venue_id, t1 = await make_world(pg_sessions)

        async def create(venue_id: uuid.UUID = venue_id, t1: uuid.UUID = t1) -> str:
            async with pg_sessions() as s, s.begin():
                venue = await s.get_one(Venue, venue_id)
                done = await series.create(s, venue, request(t1), STAFF, NOW)
            return "won" if done.occurrences[0].reservation is not None else "409"

        outcomes = await asyncio.gather(create(), guest_hold(pg_sessions, venue_id, t1))
        assert sorted(outcomes) == ["409", "won"]
        assert await on_table(pg_sessions, t1) == 1


@pytest.fixture(scope="module")
async def control_sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A database built from the models alone: no exclusion constraint behind the app."""
    async with control_database("series", pool_size=4) as sessions:
        yield sessions


async def test_control_without_the_claim_the_same_interleaving_double_books(
    control_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, t1 = await make_world(control_sessions)
    planned, go_on = asyncio.Event(), asyncio.Event()

    async def naive_series() -> None:
        """Book what the plan saw free, without claiming the table (the bug)."""
        async with control_sessions() as s, s.begin():
            venue = await s.get_one(Venue, venue_id)
            plan = await series.plan(s, venue, request(t1), NOW)
            planned.set()
            await go_on.wait()
            rules = await venues.rules_of(s, venue)
            for occ in plan.occurrences:
                assert occ.reason is None and occ.sitting is not None
                prices = await quoting.pricing_rules(s, venue, rules, plan.tables)
                quote = quoting.quote_tables(
                    prices,
                    await venues.night_on(s, venue, occ.date),
                    occ.sitting,
                    plan.tables,
                    {},
                    NOW,
                    None,
                ).of(plan.tables)
                req = booking.HoldRequest(occ.date, [t1], 2)
                await booking.insert_hold(
                    s, venue, req, occ.sitting, plan.tables, quote, rules, STAFF, NOW
                )

    task = asyncio.create_task(naive_series())
    await planned.wait()
    assert await guest_hold(control_sessions, venue_id, t1) == "won"
    go_on.set()
    await task
    assert await on_table(control_sessions, t1) == 2  # double-booked: the race is real
