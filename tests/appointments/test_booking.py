"""Booking an appointment through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.appointments import availability, setup, slots
from venue.appointments import booking as appt
from venue.core import errors
from venue.core.actor import GUEST, SYSTEM
from venue.guests.identity import identify
from venue.models import Appointment, Status, Turnaway
from venue.reservations import booking

from .factories import NOW, create_salon, nine_to_five

TUESDAY = date(2026, 11, 24)


def at(h: int, m: int = 0, day: date = TUESDAY) -> datetime:
    return datetime(day.year, day.month, day.day, h, m, tzinfo=UTC)  # London is on GMT


async def hold(
    session: AsyncSession, salon, service: str, start: datetime, staff: str | None = None
):
    req = appt.AppointmentRequest(
        salon.services[service].id, start, salon.staff[staff].id if staff else None
    )
    return await appt.place_hold(session, salon.venue, req, GUEST, NOW)


async def staff_of(session: AsyncSession, res_id) -> object:
    return await session.scalar(
        select(Appointment.staff_member_id).where(Appointment.reservation_id == res_id)
    )


async def test_anyone_available_goes_to_the_least_busy_then_the_first(
    session: AsyncSession,
) -> None:
    salon = await create_salon(session)
    ana, ben = salon.staff["Ana"].id, salon.staff["Ben"].id
    first = await hold(session, salon, "Cut", at(10))
    assert await staff_of(session, first.reservation.id) == ana  # tie: the venue's order
    second = await hold(session, salon, "Cut", at(10))
    assert await staff_of(session, second.reservation.id) == ben  # Ana is busy then
    third = await hold(session, salon, "Cut", at(14))
    # Both free at 14:00 with one appointment each: the venue's order again.
    assert await staff_of(session, third.reservation.id) == ana
    fourth = await hold(session, salon, "Cut", at(15))
    assert await staff_of(session, fourth.reservation.id) == ben  # Ben has one, Ana two


async def test_a_staff_member_is_never_in_two_places_buffers_included(
    session: AsyncSession,
) -> None:
    salon = await create_salon(session)
    await hold(session, salon, "Cut", at(10), "Ben")  # busy 10:00-11:00 with cleanup
    with pytest.raises(errors.StaffUnavailable):
        await hold(session, salon, "Cut", at(10, 45), "Ben")  # inside the cleanup
    nxt = await hold(session, salon, "Cut", at(11), "Ben")
    assert nxt.reservation.starts_at == at(11)
    # Ben does not do colour: naming him for it is a 422 on the field.
    with pytest.raises(errors.InvalidRequest):
        await hold(session, salon, "Colour", at(13), "Ben")


async def test_booked_with_the_tables_lifecycle_and_freed_by_cancel(session: AsyncSession) -> None:
    salon = await create_salon(session)
    held = await hold(session, salon, "Colour", at(10), "Ana")
    res = held.reservation
    assert res.quoted_deposit == 2000 and res.quoted_minimum == 9000
    assert res.quote["appointment"]["staff"] == "Ana"
    who = identify("Jo Guest", "jo@example.com", "+447700900123", "GB")
    done = await booking.complete_hold(session, salon.venue, res, who, GUEST, NOW)
    assert done.reservation.status == Status.PENDING_PAYMENT  # the service takes a deposit
    copy = await session.scalar(select(Appointment).where(Appointment.reservation_id == res.id))
    assert copy is not None and copy.status == Status.PENDING_PAYMENT
    assert copy.busy_from == at(9, 45) and copy.busy_until == at(11, 30)
    with pytest.raises(errors.StaffUnavailable):
        await hold(session, salon, "Cut", at(11), "Ana")
    await booking.cancel(session, done.reservation, GUEST, NOW, "changed my mind")
    await session.refresh(copy)
    assert copy.status == Status.CANCELLED  # the cascade keeps the copy true
    again = await hold(session, salon, "Cut", at(11), "Ana")
    assert again.reservation.status == Status.HOLD


async def test_a_lapsed_hold_gives_its_time_back(session: AsyncSession) -> None:
    salon = await create_salon(session)
    await hold(session, salon, "Cut", at(10), "Ben")
    later = NOW + timedelta(minutes=30)  # the 10-minute hold has lapsed, unswept
    req = appt.AppointmentRequest(salon.services["Cut"].id, at(10), salon.staff["Ben"].id)
    again = await appt.place_hold(session, salon.venue, req, GUEST, later)
    assert again.reservation.starts_at == at(10)


async def test_days_off_absences_closures_and_the_daily_maximum(session: AsyncSession) -> None:
    monday = date(2026, 11, 23)
    salon = await create_salon(
        session,
        staff=[
            setup.StaffSpec("Ana", ["Cut"], nine_to_five([1, 2, 3, 4, 5])),  # off on Mondays
            setup.StaffSpec("Ben", ["Cut"], nine_to_five(), max_per_day=1),
        ],
    )
    ben = salon.staff["Ben"].id
    first = await hold(session, salon, "Cut", at(10, day=monday))
    assert await staff_of(session, first.reservation.id) == ben
    with pytest.raises(errors.StaffUnavailable):  # Ana is off, Ben has had his one
        await hold(session, salon, "Cut", at(13, day=monday))
    await setup.add_absence(
        session, salon.venue, salon.staff["Ana"], TUESDAY, TUESDAY, "holiday", SYSTEM, NOW
    )
    tuesday = await hold(session, salon, "Cut", at(10))
    assert await staff_of(session, tuesday.reservation.id) == ben


async def test_slots_offer_only_what_someone_can_honour(session: AsyncSession) -> None:
    salon = await create_salon(session)
    service = salon.services["Colour"]  # only Ana: 90 minutes, 15 before
    await hold(session, salon, "Cut", at(11), "Ana")  # Ana busy 11:00-12:00
    staff = await availability.staff_for(session, salon.venue, service.id)
    facts = await availability.day_facts(session, salon.venue, service, staff, TUESDAY, NOW)
    found = [
        s.starts_at
        for s in slots.start_times(
            TUESDAY,
            "Europe/London",
            timedelta(minutes=15),
            availability.shape_of(service),
            facts.staff,
        )
    ]
    assert at(9, 15) in found and at(9, 30) in found  # 09:15 + 90 = 10:45; 09:30 -> 11:00
    assert at(9, 45) not in found
    assert at(12, 15) in found and at(12) not in found  # 15 minutes of preparation first
    assert found[-1] == at(15, 30)


async def test_off_grid_and_unknown_are_clear_errors(session: AsyncSession) -> None:
    salon = await create_salon(session)
    with pytest.raises(errors.InvalidRequest):
        await hold(session, salon, "Cut", at(10, 7))
    req = appt.AppointmentRequest(salon.services["Cut"].id, at(10))
    club = (await create_salon(session)).venue
    with pytest.raises(errors.NotFound):  # another venue's service
        await appt.place_hold(session, club, req, GUEST, NOW)


async def test_a_refused_guest_is_turned_away_demand_with_the_service(
    sessions,
) -> None:
    async with sessions() as s, s.begin():
        salon = await create_salon(
            s, staff=[setup.StaffSpec("Ana", ["Cut"], {5: [(time(9), time(10))]})]
        )
        venue_id, cut = salon.venue.id, salon.services["Cut"].id
        saturday = date(2026, 11, 28)
        await hold(s, salon, "Cut", at(9, day=saturday))
    async with sessions() as s:
        venue = await s.get_one(type(salon.venue), venue_id)
        req = appt.AppointmentRequest(cut, at(9, day=saturday))
        with pytest.raises(errors.StaffUnavailable):
            await appt.place_guest_hold(s, venue, req, GUEST, NOW)
    async with sessions() as s:
        row = await s.scalar(select(Turnaway).where(Turnaway.venue_id == venue_id))
        assert row is not None and row.service_id == cut and row.business_date == saturday
        assert row.reason == "staff_unavailable"
