"""The staff day view: one column per staff member (their hours, breaks, whether they are
off) with the day's appointments as blocks, in the venue's timezone."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.clock import to_local
from venue.models import (
    Appointment,
    Guest,
    Reservation,
    Service,
    StaffAbsence,
    StaffHours,
    Venue,
)

from . import availability, slots


def _local(at: datetime, venue: Venue) -> str:
    return to_local(at, venue.timezone).isoformat(timespec="minutes")


async def day_view(session: AsyncSession, venue: Venue, day: date, now: datetime) -> dict[str, Any]:
    staff = await availability.staff_of(session, venue)
    ids = [m.id for m in staff]
    hours = list(
        await session.scalars(
            select(StaffHours).where(
                StaffHours.tenant_id == venue.tenant_id,
                StaffHours.staff_member_id.in_(ids),
                StaffHours.weekday == day.weekday(),
            )
        )
    )
    absences = {
        a.staff_member_id: a
        for a in await session.scalars(
            select(StaffAbsence).where(
                StaffAbsence.tenant_id == venue.tenant_id,
                StaffAbsence.staff_member_id.in_(ids),
                StaffAbsence.first_day <= day,
                StaffAbsence.last_day >= day,
            )
        )
    }
    start, end = slots.day_bounds(day, venue.timezone)
    rows = await session.execute(
        select(Appointment, Reservation, Service.name, Guest.name)
        .join(Reservation, Reservation.id == Appointment.reservation_id)
        .join(Service, Service.id == Appointment.service_id)
        .outerjoin(Guest, Guest.id == Reservation.guest_id)
        .where(
            Appointment.tenant_id == venue.tenant_id,
            Reservation.venue_id == venue.id,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .order_by(Appointment.starts_at)
    )
    appointments = [
        {
            "reservation_id": str(res.id),
            "staff_id": str(a.staff_member_id),
            "service": service,
            "guest_name": guest,
            "status": res.status,
            "channel": res.channel,
            "version": res.version,
            "starts_at": res.starts_at.isoformat(),
            "starts_local": _local(res.starts_at, venue),
            "ends_local": _local(res.ends_at, venue),
            "busy_from_local": _local(a.busy_from, venue),
            "busy_until_local": _local(a.busy_until, venue),
            "live": res.status in ("confirmed", "seated", "completed", "pending_payment", "hold")
            and not (res.expires_at is not None and res.expires_at <= now),
        }
        for a, res, service, guest in rows
    ]
    rules_of = {m.id: [h for h in hours if h.staff_member_id == m.id] for m in staff}
    return {
        "date": day.isoformat(),
        "timezone": venue.timezone,
        "closed": await availability.day_closed(session, venue, day),
        "staff": [
            {
                "id": str(m.id),
                "name": m.name,
                "max_per_day": m.max_per_day,
                "work": [
                    [h.starts.isoformat("minutes"), h.ends.isoformat("minutes")]
                    for h in rules_of[m.id]
                    if h.kind == "work"
                ],
                "breaks": [
                    [h.starts.isoformat("minutes"), h.ends.isoformat("minutes")]
                    for h in rules_of[m.id]
                    if h.kind == "break"
                ],
                "absence": (
                    {"id": str(absences[m.id].id), "reason": absences[m.id].reason}
                    if m.id in absences
                    else None
                ),
            }
            for m in staff
        ],
        "appointments": appointments,
    }


async def week_of(session: AsyncSession, venue: Venue, staff_id: uuid.UUID) -> dict[str, Any]:
    """A staff member's weekly hours and breaks, and their absences (the editor)."""
    rows = list(
        await session.scalars(
            select(StaffHours)
            .where(StaffHours.tenant_id == venue.tenant_id, StaffHours.staff_member_id == staff_id)
            .order_by(StaffHours.weekday, StaffHours.starts)
        )
    )
    absences = await session.scalars(
        select(StaffAbsence)
        .where(StaffAbsence.tenant_id == venue.tenant_id, StaffAbsence.staff_member_id == staff_id)
        .order_by(StaffAbsence.first_day)
    )
    week: dict[str, dict[str, list[list[str]]]] = {"work": {}, "breaks": {}}
    for h in rows:
        key = "work" if h.kind == "work" else "breaks"
        week[key].setdefault(str(h.weekday), []).append(
            [h.starts.isoformat("minutes"), h.ends.isoformat("minutes")]
        )
    return {
        **week,
        "absences": [
            {
                "id": str(a.id),
                "first_day": a.first_day.isoformat(),
                "last_day": a.last_day.isoformat(),
                "reason": a.reason,
            }
            for a in absences
        ],
    }
