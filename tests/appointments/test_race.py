"""A staff member's time raced with real commits on PostgreSQL: one winner per person.

The control cases take the version claim away (a naive check-then-write lined up on a
barrier): against a database built from the models alone it double-books; against the
migrated one the exclusion constraint alone refuses all but one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.races import control_database, race
from venue.appointments import availability, slots
from venue.appointments import booking as appt
from venue.appointments.claim import Pick
from venue.core import errors
from venue.core.actor import GUEST
from venue.models import Appointment, Status, Venue
from venue.setup import venues

from .factories import NOW, create_salon

pytestmark = pytest.mark.postgres

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


async def make_salon(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    async with sessions() as s, s.begin():
        salon = await create_salon(s)
        return salon.venue.id, salon.services["Cut"].id, salon.staff["Ben"].id


def guarded(
    sessions: async_sessionmaker[AsyncSession],
    venue_id: uuid.UUID,
    service_id: uuid.UUID,
    staff_id: uuid.UUID | None,
) -> Callable[[int], Awaitable[str]]:
    async def attempt(_: int) -> str:
        try:
            async with sessions() as s, s.begin():
                venue = await s.get_one(Venue, venue_id)
                req = appt.AppointmentRequest(service_id, START, staff_id)
                await appt.place_hold(s, venue, req, GUEST, NOW)
            return "won"
        except errors.StaffUnavailable:
            return "409"

    return attempt


def naive(
    sessions: async_sessionmaker[AsyncSession],
    venue_id: uuid.UUID,
    service_id: uuid.UUID,
    staff_id: uuid.UUID,
    barrier: asyncio.Barrier,
) -> Callable[[int], Awaitable[str]]:
    """Check, then write, without claiming the staff member's version."""

    async def attempt(_: int) -> str:
        try:
            async with sessions() as s, s.begin():
                venue = await s.get_one(Venue, venue_id)
                service = await availability.service_by_id(s, venue, service_id)
                staff = [
                    m
                    for m in await availability.staff_for(s, venue, service_id)
                    if m.id == staff_id
                ]
                day = START.date()
                facts = await availability.day_facts(s, venue, service, staff, day, NOW)
                busy = availability.shape_of(service).busy(START)
                free = slots.fits(slots.free_time(facts.staff[0], day, venue.timezone), busy)
                await barrier.wait()
                if not free:
                    return "409"
                night, sitting, _ = await appt.ensure_day(s, venue, day)
                rules = await venues.rules_of(s, venue)
                found = appt.Found(Pick(staff_id, None), staff)
                req = appt.AppointmentRequest(service_id, START, staff_id)
                res = appt._reservation(
                    venue,
                    req,
                    service,
                    found,
                    night,
                    sitting,
                    rules,
                    GUEST,
                    "t" + uuid.uuid4().hex,
                    NOW,
                )
                await appt._insert(s, venue, res, service, found.pick, GUEST, NOW)
            return "won"
        except errors.StaffUnavailable:
            return "constraint"

    return attempt


async def holds_of(sessions: async_sessionmaker[AsyncSession], staff_id: uuid.UUID) -> int:
    async with sessions() as s:
        return int(
            await s.scalar(
                select(func.count()).where(
                    Appointment.staff_member_id == staff_id, Appointment.status == Status.HOLD
                )
            )
            or 0
        )


@pytest.fixture(scope="module")
async def control_sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A database built from the models alone: no exclusion constraint behind the app."""
    async with control_database("appointments") as sessions:
        yield sessions


async def test_100_guests_one_staff_member_exactly_one_winner(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, cut, ben = await make_salon(pg_sessions)
    outcome = await race(100, guarded(pg_sessions, venue_id, cut, ben))
    assert outcome == Counter({"won": 1, "409": 99})
    assert await holds_of(pg_sessions, ben) == 1


async def test_anyone_available_fills_each_staff_member_once(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, cut, _ = await make_salon(pg_sessions)  # Ana and Ben both cut
    outcome = await race(60, guarded(pg_sessions, venue_id, cut, None))
    assert outcome == Counter({"won": 2, "409": 58})


async def test_control_without_any_guard_the_race_double_books(
    control_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, cut, ben = await make_salon(control_sessions)
    outcome = await race(20, naive(control_sessions, venue_id, cut, ben, asyncio.Barrier(20)))
    assert outcome["won"] > 1, outcome
    assert await holds_of(control_sessions, ben) == outcome["won"]


async def test_control_version_claim_alone_holds(
    control_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, cut, ben = await make_salon(control_sessions)
    outcome = await race(40, guarded(control_sessions, venue_id, cut, ben))
    assert outcome == Counter({"won": 1, "409": 39})


async def test_control_exclusion_constraint_alone_holds(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, cut, ben = await make_salon(pg_sessions)
    outcome = await race(20, naive(pg_sessions, venue_id, cut, ben, asyncio.Barrier(20)))
    assert outcome == Counter({"won": 1, "constraint": 19})
    assert await holds_of(pg_sessions, ben) == 1


async def test_first_bookings_of_a_day_at_once_share_its_night(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    venue_id, _, _ = await make_salon(pg_sessions)
    later = START + timedelta(hours=2)

    async def one(i: int) -> str:
        async with pg_sessions() as s, s.begin():
            venue = await s.get_one(Venue, venue_id)
            await appt.ensure_day(s, venue, later.date())
        return "ok"

    assert await race(10, one) == Counter({"ok": 10})
