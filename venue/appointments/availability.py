"""Reading the facts a day's start times are made of: services, who performs them, their
hours, breaks, absences, the day's closure and the appointments already taken."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.errors import NotFound
from venue.models import (
    EXPIRING,
    OCCUPYING,
    Appointment,
    Night,
    Reservation,
    Resource,
    Service,
    StaffAbsence,
    StaffHours,
    StaffMember,
    StaffService,
    Venue,
)

from . import slots


def shape_of(service: Service) -> slots.ServiceShape:
    return slots.ServiceShape(
        timedelta(minutes=service.duration_minutes),
        timedelta(minutes=service.buffer_before_minutes),
        timedelta(minutes=service.buffer_after_minutes),
    )


async def services_of(session: AsyncSession, venue: Venue) -> list[Service]:
    rows = await session.scalars(
        select(Service)
        .where(
            Service.tenant_id == venue.tenant_id,
            Service.venue_id == venue.id,
            Service.is_active.is_(True),
        )
        .order_by(Service.position, Service.name)
    )
    return list(rows)


async def service_by_id(session: AsyncSession, venue: Venue, service_id: uuid.UUID) -> Service:
    service = await session.scalar(
        select(Service).where(
            Service.tenant_id == venue.tenant_id,
            Service.venue_id == venue.id,
            Service.id == service_id,
            Service.is_active.is_(True),
        )
    )
    if service is None:
        raise NotFound("no such service")
    return service


async def staff_of(session: AsyncSession, venue: Venue) -> list[StaffMember]:
    rows = await session.scalars(
        select(StaffMember)
        .where(
            StaffMember.tenant_id == venue.tenant_id,
            StaffMember.venue_id == venue.id,
            StaffMember.is_active.is_(True),
        )
        .order_by(StaffMember.position, StaffMember.name)
    )
    return list(rows)


async def staff_for(
    session: AsyncSession, venue: Venue, service_id: uuid.UUID
) -> list[StaffMember]:
    """The active staff members who perform the service, in the venue's order."""
    rows = await session.scalars(
        select(StaffMember)
        .join(StaffService, StaffService.staff_member_id == StaffMember.id)
        .where(
            StaffMember.tenant_id == venue.tenant_id,
            StaffMember.venue_id == venue.id,
            StaffMember.is_active.is_(True),
            StaffService.tenant_id == venue.tenant_id,
            StaffService.service_id == service_id,
        )
        .order_by(StaffMember.position, StaffMember.name)
    )
    return list(rows)


async def services_by_staff(
    session: AsyncSession, venue: Venue
) -> dict[uuid.UUID, list[uuid.UUID]]:
    rows = await session.execute(
        select(StaffService.staff_member_id, StaffService.service_id)
        .join(Service, Service.id == StaffService.service_id)
        .where(StaffService.tenant_id == venue.tenant_id, Service.venue_id == venue.id)
    )
    out: dict[uuid.UUID, list[uuid.UUID]] = {}
    for staff_id, service_id in rows:
        out.setdefault(staff_id, []).append(service_id)
    return out


async def resource_ids(session: AsyncSession, venue: Venue, kind: str | None) -> list[uuid.UUID]:
    if not kind:
        return []
    rows = await session.scalars(
        select(Resource.id).where(
            Resource.tenant_id == venue.tenant_id,
            Resource.venue_id == venue.id,
            Resource.kind == kind,
            Resource.is_active.is_(True),
        )
    )
    return list(rows)


def live_claims(now: datetime) -> list[ColumnElement[bool]]:
    """The appointments that hold time now: occupying, and a hold or payment hold only
    until it lapses."""
    return [
        Appointment.status.in_([s.value for s in OCCUPYING]),
        or_(
            Appointment.status.notin_([s.value for s in EXPIRING]),
            Reservation.expires_at.is_(None),
            Reservation.expires_at > now,
        ),
    ]


@dataclass
class DayFacts:
    closed: bool
    staff: list[slots.StaffDay]
    resources: list[tuple[Resource, list[slots.Range]]] | None


async def day_closed(session: AsyncSession, venue: Venue, day: date) -> bool:
    closed = await session.scalar(
        select(Night.is_closed).where(
            Night.tenant_id == venue.tenant_id,
            Night.venue_id == venue.id,
            Night.business_date == day,
        )
    )
    return bool(closed)


async def day_facts(
    session: AsyncSession,
    venue: Venue,
    service: Service,
    staff: list[StaffMember],
    day: date,
    now: datetime,
    *,
    moving: uuid.UUID | None = None,
) -> DayFacts:
    """Everything ``slots.start_times`` needs for these staff members on ``day``; the
    reservation ``moving`` (a reschedule or a staff move) does not count against itself."""
    ids = [s.id for s in staff]
    closed = await day_closed(session, venue, day)
    hours = await session.scalars(
        select(StaffHours).where(
            StaffHours.tenant_id == venue.tenant_id,
            StaffHours.staff_member_id.in_(ids),
            StaffHours.weekday == day.weekday(),
        )
    )
    absent = set(
        (
            await session.scalars(
                select(StaffAbsence.staff_member_id).where(
                    StaffAbsence.tenant_id == venue.tenant_id,
                    StaffAbsence.staff_member_id.in_(ids),
                    StaffAbsence.first_day <= day,
                    StaffAbsence.last_day >= day,
                )
            )
        ).all()
    )
    start, end = slots.day_bounds(day, venue.timezone)
    margin = timedelta(days=1)
    busy_rows = await session.execute(
        select(
            Appointment.staff_member_id,
            Appointment.busy_from,
            Appointment.busy_until,
            Appointment.starts_at,
        )
        .join(Reservation, Reservation.id == Appointment.reservation_id)
        .where(
            Appointment.tenant_id == venue.tenant_id,
            Appointment.staff_member_id.in_(ids),
            Appointment.busy_until > start - margin,
            Appointment.busy_from < end + margin,
            Appointment.reservation_id != moving if moving else true(),
            *live_claims(now),
        )
    )
    days = {
        s.id: slots.StaffDay(
            s.id, s.position, max_per_day=s.max_per_day, absent=closed or s.id in absent
        )
        for s in staff
    }
    for row in hours:
        person = days[row.staff_member_id]
        (person.work if row.kind == "work" else person.breaks).append((row.starts, row.ends))
    for staff_id, busy_from, busy_until, starts_at in busy_rows:
        days[staff_id].busy.append((busy_from, busy_until))
        if start <= starts_at < end:
            days[staff_id].booked += 1
    resources = None
    if service.resource_kind:
        resources = await _resources_busy(
            session, venue, service.resource_kind, start, end, now, moving
        )
    return DayFacts(closed, [days[s.id] for s in staff], resources)


async def _resources_busy(
    session: AsyncSession,
    venue: Venue,
    kind: str,
    start: datetime,
    end: datetime,
    now: datetime,
    moving: uuid.UUID | None,
) -> list[tuple[Resource, list[slots.Range]]]:
    resources = list(
        await session.scalars(
            select(Resource)
            .where(
                Resource.tenant_id == venue.tenant_id,
                Resource.venue_id == venue.id,
                Resource.kind == kind,
                Resource.is_active.is_(True),
            )
            .order_by(Resource.name)
        )
    )
    if not resources:
        return []
    rows = await session.execute(
        select(Appointment.resource_id, Appointment.busy_from, Appointment.busy_until)
        .join(Reservation, Reservation.id == Appointment.reservation_id)
        .where(
            Appointment.tenant_id == venue.tenant_id,
            Appointment.resource_id.in_([r.id for r in resources]),
            Appointment.busy_until > start - timedelta(days=1),
            Appointment.busy_from < end + timedelta(days=1),
            Appointment.reservation_id != moving if moving else true(),
            *live_claims(now),
        )
    )
    busy: dict[uuid.UUID, list[slots.Range]] = {r.id: [] for r in resources}
    for resource_id, busy_from, busy_until in rows:
        if resource_id is not None:
            busy[resource_id].append((busy_from, busy_until))
    return [(r, busy[r.id]) for r in resources]


async def appointment_of(session: AsyncSession, res: Reservation) -> Appointment:
    found = await session.scalar(
        select(Appointment).where(
            Appointment.tenant_id == res.tenant_id, Appointment.reservation_id == res.id
        )
    )
    if found is None:
        raise NotFound("that booking is not an appointment")
    return found
