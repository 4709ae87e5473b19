"""A reschedule and a direct hold race for the same table on PostgreSQL, with real
commits: exactly one wins, and a losing reschedule leaves its booking where it was.

The control case takes the reschedule's claim away (both sides check, wait for each
other, then write): both checks pass, so the race is real, and the exclusion constraint
still lets only one of them through.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import create_night_for, create_venue
from tests.venue.test_concurrency import NOW, SAT, naive
from venue.core import errors
from venue.core.actor import GUEST
from venue.guests.identity import identify
from venue.models import Reservation, ReservationTable, Status, Venue
from venue.reservations import booking, reschedule

pytestmark = pytest.mark.postgres
LATER = SAT.replace(day=28)
ROUNDS = 6


async def setting(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A venue, a guest booked on T1 a week on, and the contested table T3 on SAT:
    (venue id, reservation id, contested table id)."""
    async with sessions() as s, s.begin():
        world = await create_venue(s, tables=4)
        await create_night_for(s, world, SAT, now=NOW)
        await create_night_for(s, world, LATER, now=NOW)
        req = booking.HoldRequest(LATER, [world.table("T1").id], 2)
        hold = await booking.place_hold(s, world.venue, req, GUEST, NOW)
        who = identify("Ada Lovelace", "ada@example.com", None, "GB")
        res = (
            await booking.complete_hold(s, world.venue, hold.reservation, who, GUEST, NOW)
        ).reservation
        assert res.status == Status.CONFIRMED
        return world.venue.id, res.id, world.table("T3").id


def rescheduling(
    sessions: async_sessionmaker[AsyncSession], venue_id: uuid.UUID, rid: uuid.UUID, table: Any
) -> Callable[[], Awaitable[str]]:
    async def attempt() -> str:
        try:
            async with sessions() as s, s.begin():
                venue = await s.get_one(Venue, venue_id)
                res = await s.get_one(Reservation, rid)
                change = reschedule.Change(SAT, [table])
                await reschedule.reschedule(s, venue, res, change, GUEST, NOW)
            return "reschedule"
        except errors.TableUnavailable as exc:
            return "constraint" if isinstance(exc.__cause__, DBAPIError) else "409"

    return attempt


def holding(
    sessions: async_sessionmaker[AsyncSession], venue_id: uuid.UUID, table: uuid.UUID
) -> Callable[[], Awaitable[str]]:
    async def attempt() -> str:
        try:
            async with sessions() as s, s.begin():
                venue = await s.get_one(Venue, venue_id)
                req = booking.HoldRequest(SAT, [table], 2)
                await booking.place_hold(s, venue, req, GUEST, NOW)
            return "hold"
        except errors.TableUnavailable:
            return "409"

    return attempt


async def where_is(
    sessions: async_sessionmaker[AsyncSession], rid: uuid.UUID
) -> tuple[str, list[uuid.UUID]]:
    async with sessions() as s:
        res = await s.get_one(Reservation, rid)
        tables = list(
            await s.scalars(
                select(ReservationTable.table_id).where(ReservationTable.reservation_id == rid)
            )
        )
        return str(res.night_id), tables


async def occupying(sessions: async_sessionmaker[AsyncSession], table: uuid.UUID) -> int:
    async with sessions() as s:
        return int(
            await s.scalar(
                select(func.count()).where(
                    ReservationTable.table_id == table,
                    ReservationTable.status.in_(["hold", "pending_payment", "confirmed"]),
                )
            )
            or 0
        )


async def test_a_reschedule_and_a_hold_on_one_table_give_one_winner(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    outcomes: Counter[str] = Counter()
    for i in range(ROUNDS):
        venue_id, rid, table = await setting(pg_sessions)
        before = await where_is(pg_sessions, rid)
        # Alternate who starts first, so each side gets to win.
        sides = [
            rescheduling(pg_sessions, venue_id, rid, table),
            holding(pg_sessions, venue_id, table),
        ]
        if i % 2:
            sides.reverse()
        results = Counter(await asyncio.gather(*(side() for side in sides)))
        winners = results["reschedule"] + results["hold"]
        assert winners == 1, results
        assert await occupying(pg_sessions, table) == 1
        if results["hold"]:  # the reschedule lost: its booking did not move
            assert await where_is(pg_sessions, rid) == before
        else:
            assert (await where_is(pg_sessions, rid))[1] == [table]
        outcomes += results
    assert outcomes["reschedule"] + outcomes["hold"] == ROUNDS


async def test_control_without_the_claim_both_checks_pass_and_the_constraint_decides(
    pg_sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    venue_id, rid, table = await setting(pg_sessions)
    before = await where_is(pg_sessions, rid)
    barrier = asyncio.Barrier(2)
    checked: list[str] = []

    async def no_claim(session: Any, tenant_id: Any, ids: Any, check: Any) -> Any:
        found = await check({})
        checked.append("reschedule")
        await barrier.wait()  # the hold has checked too: both saw the table free
        return found

    monkeypatch.setattr(reschedule.claim, "tables", no_claim)
    hold = naive(pg_sessions, venue_id, table, barrier)
    results = Counter(
        await asyncio.gather(rescheduling(pg_sessions, venue_id, rid, table)(), hold(0))
    )
    assert checked == ["reschedule"]  # the reschedule's check passed before either wrote
    assert results["reschedule"] + results["won"] == 1, results
    assert results["constraint"] == 1, results
    assert await occupying(pg_sessions, table) == 1
    if results["won"]:
        assert await where_is(pg_sessions, rid) == before
