"""Public appointments, by venue slug: the services, who performs them, the start times
someone can honour on a day, and holding one (completed, paid, cancelled and looked up
through the tables' own routes in ``booking``: an appointment is a reservation)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime, BaseModel, Field

from venue.appointments import availability, moves, slots
from venue.appointments import booking as appt
from venue.core.actor import GUEST
from venue.core.errors import DomainError, InvalidRequest
from venue.floor import floormap
from venue.journal import turnaways
from venue.notifications import links
from venue.setup import venues

from .. import languages, metrics
from ..deps import NowDep, PublicVenue, SessionDep
from ..schemas import Day, HoldOut, ReservationOut, Strict
from .booking import reservation_out

router = APIRouter(prefix="/api/v1/venues/{slug}", tags=["public"])


class ServiceOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    duration_minutes: int
    price: int
    deposit: int
    currency: str
    staff_ids: list[uuid.UUID]


class StaffOut(BaseModel):
    id: uuid.UUID
    name: str
    service_ids: list[uuid.UUID]


class SlotOut(BaseModel):
    starts_at: datetime
    starts_local: str = Field(description="the venue's wall clock, ISO 8601 with offset")
    staff_ids: list[uuid.UUID]


class SlotsOut(BaseModel):
    date: date
    service_id: uuid.UUID
    staff_id: uuid.UUID | None
    timezone: str
    interval_minutes: int
    slots: list[SlotOut]


class MoveIn(Strict):
    starts_at: AwareDatetime = Field(description="a start time from the slots, with its offset")
    staff_id: uuid.UUID | None = Field(default=None, description="omit for anyone available")


class AppointmentHoldIn(Strict):
    service_id: uuid.UUID
    starts_at: AwareDatetime = Field(description="a start time from the slots, with its offset")
    staff_id: uuid.UUID | None = Field(default=None, description="omit for anyone available")
    website: str | None = Field(default=None, max_length=200, description="leave empty")


@router.get("/services", response_model=list[ServiceOut])
async def list_services(venue: PublicVenue, session: SessionDep) -> list[dict[str, Any]]:
    """The services a guest can book, in the venue's order, with who performs each."""
    services = await availability.services_of(session, venue)
    by_staff = await availability.services_by_staff(session, venue)
    active = {s.id for s in await availability.staff_of(session, venue)}
    return [
        {
            "id": s.id,
            "name": s.name,
            "description": s.description,
            "duration_minutes": s.duration_minutes,
            "price": s.price,
            "deposit": s.deposit,
            "currency": venue.currency,
            "staff_ids": [m for m, ids in by_staff.items() if s.id in ids and m in active],
        }
        for s in services
    ]


@router.get("/staff", response_model=list[StaffOut])
async def list_staff(venue: PublicVenue, session: SessionDep) -> list[dict[str, Any]]:
    """The staff members guests may choose, in the venue's order."""
    by_staff = await availability.services_by_staff(session, venue)
    return [
        {"id": m.id, "name": m.name, "service_ids": by_staff.get(m.id, [])}
        for m in await availability.staff_of(session, venue)
    ]


@router.get("/services/{service_id}/slots", response_model=SlotsOut)
async def list_slots(
    venue: PublicVenue,
    session: SessionDep,
    now: NowDep,
    service_id: uuid.UUID,
    day: Annotated[Day, Query(alias="date")],
    staff_id: Annotated[uuid.UUID | None, Query(description="omit for anyone")] = None,
    moving: Annotated[
        str | None, Query(max_length=200, description="a token: rescheduling")
    ] = None,
) -> dict[str, Any]:
    """Start times on a day that a staff member (the one named, or anyone) can honour, in
    the venue's timezone; finding none is recorded as turned-away demand."""
    service = await availability.service_by_id(session, venue, service_id)
    rules = await venues.rules_of(session, venue)
    staff = await availability.staff_for(session, venue, service.id)
    if staff_id is not None:
        staff = [s for s in staff if s.id == staff_id]
        if not staff:
            raise InvalidRequest("staff_id", "that staff member does not perform this service")
    own = (await links.reservation_by_token(session, venue, moving)).id if moving else None
    facts = await availability.day_facts(session, venue, service, staff, day, now, moving=own)
    found = slots.start_times(
        day,
        venue.timezone,
        timedelta(minutes=rules.slot_interval_minutes),
        availability.shape_of(service),
        facts.staff,
        resources=None if facts.resources is None else [b for _, b in facts.resources],
        not_before=now + timedelta(minutes=rules.cutoff_minutes),
    )
    horizon = now + timedelta(days=rules.booking_window_days)
    found = [s for s in found if s.starts_at <= horizon]
    if not found and slots.day_bounds(day, venue.timezone)[1] > now:
        turnaways.record_turnaway(
            session,
            venue.tenant_id,
            venue.id,
            reason="night_closed" if facts.closed else "sold_out",
            business_date=day,
            party_size=1,
            channel="online",
            at=now,
            service_id=service.id,
        )
    return {
        "date": day,
        "service_id": service.id,
        "staff_id": staff_id,
        "timezone": venue.timezone,
        "interval_minutes": rules.slot_interval_minutes,
        "slots": [
            {
                "starts_at": s.starts_at,
                "starts_local": floormap.local(s.starts_at, venue),
                "staff_ids": list(s.staff_ids),
            }
            for s in found
        ],
    }


@router.post(
    "/appointments/holds",
    status_code=201,
    response_model=HoldOut,
    responses={409: {"description": "staff_unavailable and other conflicts"}},
)
async def hold_appointment(
    request: Request, venue: PublicVenue, session: SessionDep, now: NowDep, body: AppointmentHoldIn
) -> dict[str, Any]:
    """Hold a start time with a staff member (or whoever is free) for a few minutes while
    the guest enters their details; complete it with ``/holds/{id}/complete``."""
    if body.website:  # honeypot, as on the tables' hold
        raise InvalidRequest("website", "leave this field empty")
    req = appt.AppointmentRequest(body.service_id, body.starts_at, body.staff_id)
    try:
        hold = await appt.place_guest_hold(session, venue, req, GUEST, now)
    except DomainError as exc:
        metrics.refused("hold", exc.code)
        raise
    metrics.HOLDS_PLACED.inc()
    hold.reservation.language = languages.of_guest(request)
    out = await reservation_out(
        session, venue, hold.reservation, [], appt.local_day(body.starts_at, venue)
    )
    return {"reservation": out, "token": hold.token}


@router.post(
    "/reservations/{token}/appointment/move",
    response_model=ReservationOut,
    responses={409: {"description": "staff_unavailable, reschedule_cutoff and other conflicts"}},
)
async def move_appointment(
    venue: PublicVenue, session: SessionDep, now: NowDep, token: str, body: MoveIn
) -> dict[str, Any]:
    """The guest moves their appointment to another start time (or staff member) from the
    manage page; the old time is given back in the same transaction."""
    res = await links.reservation_by_token(session, venue, token)
    res = await moves.move(
        session, venue, res, body.starts_at, body.staff_id, GUEST, now, by_guest=True
    )
    return await reservation_out(session, venue, res, [], appt.local_day(res.starts_at, venue))
