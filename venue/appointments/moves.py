"""Moving an appointment to another time or staff member: the guest's reschedule from the
manage page and the staff's drag in the day view, under the same guarantees as a booking
(the claim, then the write the exclusion constraints check).

The reservation keeps its id, token, guest, price and deposit (the service does not
change); its range, day (night and sitting) and the appointment row's staff member,
resource and busy range are rewritten under the reservation's version. The event is
``reservation.rescheduled``, so the guest gets the new details and reminders move."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.clock import to_local
from venue.core.errors import Conflict, InvalidRequest, InvalidTransition, NightClosed
from venue.models import Appointment, Reservation, Status, Venue
from venue.reservations import booking
from venue.setup import venues

from . import availability
from .booking import (
    AppointmentRequest,
    Found,
    check_grid,
    ensure_day,
    expire_lapsed,
    journal,
    local_day,
    look,
)
from .claim import Versions, claim, refused_as_taken

MOVABLE_BY_GUEST = (Status.CONFIRMED,)
MOVABLE_BY_STAFF = (Status.CONFIRMED, Status.PENDING_PAYMENT, Status.SEATED)


class MoveCutoff(Conflict):
    code = "reschedule_cutoff"


async def move(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    starts_at: datetime,
    staff_id: uuid.UUID | None,
    actor: Actor,
    now: datetime,
    *,
    by_guest: bool,
) -> Reservation:
    """Move ``res`` to ``starts_at`` with ``staff_id`` (None: anyone available)."""
    allowed = MOVABLE_BY_GUEST if by_guest else MOVABLE_BY_STAFF
    if res.status not in allowed:
        raise InvalidTransition(f"a {res.status} appointment cannot be moved")
    current = await availability.appointment_of(session, res)
    service = await availability.service_by_id(session, venue, current.service_id)
    rules = await venues.rules_of(session, venue)
    day = local_day(starts_at, venue)
    check_grid(starts_at, day, venue, rules)
    if by_guest:
        if now > res.starts_at - timedelta(minutes=rules.cancel_cutoff_minutes):
            raise MoveCutoff(
                "it is too close to the appointment to change it online; call the venue"
            )
        booking.check_window(rules, starts_at, now)
    if await availability.day_closed(session, venue, day):
        raise NightClosed("the venue is closed that day")
    staff = await availability.staff_for(session, venue, service.id)
    if staff_id is not None:
        staff = [s for s in staff if s.id == staff_id]
        if not staff:
            raise InvalidRequest("staff_id", "that staff member does not perform this service")
    night, sitting, _ = await ensure_day(session, venue, day)
    req = AppointmentRequest(service.id, starts_at, staff_id)

    async def attempt(_: int) -> tuple[Versions, Found]:
        return await look(session, venue, service, staff, req, day, now, moving=res.id)

    found = await claim(session, venue.tenant_id, attempt)
    await expire_lapsed(session, venue, found.pick, service, starts_at, actor, now)
    before = booking.snapshot(res)
    chosen = next(s for s in found.staff if s.id == found.pick.staff_id)
    old = dict((res.quote or {}).get("appointment") or {})
    quote: dict[str, Any] = {
        **(res.quote or {}),
        "appointment": {**old, "staff_id": str(chosen.id), "staff": chosen.name},
        "rescheduled": {
            "from": {
                "date": to_local(res.starts_at, venue.timezone).date().isoformat(),
                "time": to_local(res.starts_at, venue.timezone).strftime("%H:%M"),
                "staff": old.get("staff"),
                "tables": [],
            },
            "by": str(actor),
        },
    }
    busy = availability.shape_of(service).busy(starts_at)
    async with refused_as_taken():
        await booking.write_versioned(
            session,
            res,
            {
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(minutes=service.duration_minutes),
                "night_id": night.id,
                "sitting_id": sitting.id,
                "quote": quote,
                "updated_at": now,
            },
        )
        await session.execute(
            update(Appointment)
            .where(Appointment.tenant_id == venue.tenant_id, Appointment.id == current.id)
            .values(
                staff_member_id=found.pick.staff_id,
                resource_id=found.pick.resource_id,
                busy_from=busy[0],
                busy_until=busy[1],
            )
            .execution_options(synchronize_session=False)
        )
    journal(session, res, actor, "reservation.rescheduled", before, now, found.pick)
    return res
