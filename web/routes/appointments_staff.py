"""The staff side of appointments: the day view (a column per staff member), moving an
appointment (drag), walk-ins, and each staff member's hours, breaks and days off."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, Field

from venue.appointments import booking as appt
from venue.appointments import dayview, moves, setup
from venue.guests.identity import identify
from venue.reservations import operations

from ..deps import Floor, FloorVenue, Manager, ManagerVenue, NowDep, ReaderVenue, SessionDep
from ..schemas import Day, GuestIn, Strict

router = APIRouter(prefix="/api/v1/staff/venues/{slug}/appointments", tags=["staff: console"])

Span = Annotated[list[time], Field(min_length=2, max_length=2)]


class MoveIn(Strict):
    starts_at: AwareDatetime
    staff_id: uuid.UUID | None = Field(default=None, description="omit: anyone available")


class WalkInIn(Strict):
    service_id: uuid.UUID
    starts_at: AwareDatetime
    staff_id: uuid.UUID | None = None
    guest: GuestIn
    notes: str | None = Field(default=None, max_length=1000)


class HoursIn(Strict):
    work: dict[Annotated[int, Field(ge=0, le=6)], list[Span]] = Field(
        description="weekday (0 = Monday) -> [[start, end], ...]; a weekday left out is off"
    )
    breaks: dict[Annotated[int, Field(ge=0, le=6)], list[Span]] = Field(default_factory=dict)


class AbsenceIn(Strict):
    first_day: Day
    last_day: Day
    reason: str | None = Field(default=None, max_length=200)


@router.get("/day")
async def day_view(
    venue: ReaderVenue, session: SessionDep, now: NowDep, day: Annotated[Day, Query(alias="date")]
) -> dict[str, Any]:
    """Every staff member's column for a day: hours, breaks, day off, appointments."""
    return await dayview.day_view(session, venue, day, now)


@router.post("/{res_id}/move")
async def move(
    res_id: uuid.UUID, body: MoveIn, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Move an appointment to another time or staff member, under the same guarantees as
    a booking (409 ``staff_unavailable`` when the time is not free)."""
    res = await operations.reservation_of(session, venue, res_id)
    await moves.move(
        session, venue, res, body.starts_at, body.staff_id, who.actor, now, by_guest=False
    )
    return await operations.details(session, venue, res)


@router.post("/walk-ins", status_code=201)
async def walk_in(
    body: WalkInIn, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Book someone at the desk: no cutoff, no online deposit, the same claim."""
    guest = identify(body.guest.name, body.guest.email, body.guest.phone, venue.country)
    req = appt.AppointmentRequest(
        body.service_id,
        body.starts_at,
        body.staff_id,
        channel="walk_in",
        bypass_rules=True,
        notes=body.notes,
        take_deposit=False,
    )
    res = await appt.walk_in(session, venue, req, guest, who.actor, now)
    return await operations.details(session, venue, res)


@router.get("/staff/{staff_id}/week")
async def staff_week(
    staff_id: uuid.UUID, venue: ReaderVenue, session: SessionDep
) -> dict[str, Any]:
    """A staff member's weekly hours, breaks and absences."""
    await setup.staff_by_id(session, venue, staff_id)
    return await dayview.week_of(session, venue, staff_id)


@router.put("/staff/{staff_id}/hours")
async def set_hours(
    staff_id: uuid.UUID,
    body: HoursIn,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Replace the weekly hours and breaks (a day with no hours is a day off)."""
    member = await setup.staff_by_id(session, venue, staff_id)
    work = {d: [(a, b) for a, b in spans] for d, spans in body.work.items()}
    breaks = {d: [(a, b) for a, b in spans] for d, spans in body.breaks.items()}
    await setup.set_hours(session, venue, member, work, breaks, who.actor, now)
    return await dayview.week_of(session, venue, staff_id)


@router.post("/staff/{staff_id}/absences", status_code=201)
async def add_absence(
    staff_id: uuid.UUID,
    body: AbsenceIn,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Days off or a holiday (inclusive)."""
    member = await setup.staff_by_id(session, venue, staff_id)
    await setup.add_absence(
        session, venue, member, body.first_day, body.last_day, body.reason, who.actor, now
    )
    return await dayview.week_of(session, venue, staff_id)


@router.delete("/staff/{staff_id}/absences/{absence_id}")
async def remove_absence(
    staff_id: uuid.UUID,
    absence_id: uuid.UUID,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    member = await setup.staff_by_id(session, venue, staff_id)
    await setup.remove_absence(session, venue, member, absence_id, who.actor, now)
    return await dayview.week_of(session, venue, staff_id)
