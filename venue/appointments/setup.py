"""Writing a venue's services, staff members, their hours, breaks, absences and
resources: rows the venue edits without a deploy. Every write is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.errors import InvalidRequest, NotFound
from venue.journal.audit import record
from venue.models import (
    Resource,
    Service,
    StaffAbsence,
    StaffHours,
    StaffMember,
    StaffService,
    Venue,
)

Hours = dict[int, list[tuple[time, time]]]  # weekday (0 = Monday) -> local ranges


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    duration_minutes: int
    price: int
    deposit: int = 0
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    resource_kind: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class StaffSpec:
    name: str
    services: list[str]  # service names
    hours: Hours
    breaks: Hours = field(default_factory=dict)
    max_per_day: int | None = None


def _audit(
    session: AsyncSession,
    venue: Venue,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: uuid.UUID,
    after: dict[str, Any] | None,
    now: datetime,
) -> None:
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=None,
        after=after,
        at=now,
    )


async def add_service(
    session: AsyncSession,
    venue: Venue,
    spec: ServiceSpec,
    actor: Actor,
    now: datetime,
    position: int = 0,
) -> Service:
    if spec.deposit > spec.price:
        raise InvalidRequest("deposit", "the deposit cannot be more than the price")
    service = Service(
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        name=spec.name,
        description=spec.description,
        duration_minutes=spec.duration_minutes,
        price=spec.price,
        deposit=spec.deposit,
        buffer_before_minutes=spec.buffer_before_minutes,
        buffer_after_minutes=spec.buffer_after_minutes,
        resource_kind=spec.resource_kind,
        position=position,
    )
    session.add(service)
    await session.flush()
    _audit(
        session,
        venue,
        actor,
        "service.created",
        "service",
        service.id,
        {
            "name": spec.name,
            "duration_minutes": spec.duration_minutes,
            "price": spec.price,
            "deposit": spec.deposit,
        },
        now,
    )
    return service


async def add_staff(
    session: AsyncSession,
    venue: Venue,
    spec: StaffSpec,
    services: dict[str, Service],
    actor: Actor,
    now: datetime,
    position: int = 0,
) -> StaffMember:
    member = StaffMember(
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        name=spec.name,
        position=position,
        max_per_day=spec.max_per_day,
    )
    session.add(member)
    await session.flush()
    for name in spec.services:
        if name not in services:
            raise InvalidRequest("services", f"no service named '{name}'")
        session.add(
            StaffService(
                tenant_id=venue.tenant_id, staff_member_id=member.id, service_id=services[name].id
            )
        )
    await session.flush()
    await set_hours(session, venue, member, spec.hours, spec.breaks, actor, now)
    _audit(
        session,
        venue,
        actor,
        "staff_member.created",
        "staff_member",
        member.id,
        {
            "name": spec.name,
            "services": spec.services,
            "max_per_day": spec.max_per_day,
        },
        now,
    )
    return member


async def staff_by_id(session: AsyncSession, venue: Venue, staff_id: uuid.UUID) -> StaffMember:
    member = await session.scalar(
        select(StaffMember).where(
            StaffMember.tenant_id == venue.tenant_id,
            StaffMember.venue_id == venue.id,
            StaffMember.id == staff_id,
        )
    )
    if member is None:
        raise NotFound("no such staff member")
    return member


async def set_hours(
    session: AsyncSession,
    venue: Venue,
    member: StaffMember,
    hours: Hours,
    breaks: Hours,
    actor: Actor,
    now: datetime,
) -> None:
    """Replace a staff member's weekly hours and breaks (a weekday absent: a day off)."""
    for kind, table in (("work", hours), ("break", breaks)):
        for weekday, ranges in table.items():
            if not 0 <= weekday <= 6:
                raise InvalidRequest(kind, "weekday is 0 (Monday) to 6 (Sunday)")
            for starts, ends in ranges:
                if ends <= starts:
                    raise InvalidRequest(kind, "a range ends after it starts")
    await session.execute(
        delete(StaffHours).where(
            StaffHours.tenant_id == venue.tenant_id, StaffHours.staff_member_id == member.id
        )
    )
    for kind, table in (("work", hours), ("break", breaks)):
        for weekday, ranges in sorted(table.items()):
            for starts, ends in ranges:
                session.add(
                    StaffHours(
                        tenant_id=venue.tenant_id,
                        staff_member_id=member.id,
                        weekday=weekday,
                        kind=kind,
                        starts=starts,
                        ends=ends,
                    )
                )
    await session.flush()
    _audit(
        session,
        venue,
        actor,
        "staff_member.hours_set",
        "staff_member",
        member.id,
        {
            "hours": {
                str(d): [[a.isoformat(), b.isoformat()] for a, b in r] for d, r in hours.items()
            },
            "breaks": {
                str(d): [[a.isoformat(), b.isoformat()] for a, b in r] for d, r in breaks.items()
            },
        },
        now,
    )


async def add_absence(
    session: AsyncSession,
    venue: Venue,
    member: StaffMember,
    first_day: date,
    last_day: date,
    reason: str | None,
    actor: Actor,
    now: datetime,
) -> StaffAbsence:
    if last_day < first_day:
        raise InvalidRequest("last_day", "the last day is on or after the first")
    absence = StaffAbsence(
        tenant_id=venue.tenant_id,
        staff_member_id=member.id,
        first_day=first_day,
        last_day=last_day,
        reason=reason,
    )
    session.add(absence)
    await session.flush()
    _audit(
        session,
        venue,
        actor,
        "staff_member.absence_added",
        "staff_member",
        member.id,
        {
            "first_day": first_day.isoformat(),
            "last_day": last_day.isoformat(),
            "reason": reason,
        },
        now,
    )
    return absence


async def add_resource(
    session: AsyncSession, venue: Venue, name: str, kind: str, actor: Actor, now: datetime
) -> Resource:
    resource = Resource(tenant_id=venue.tenant_id, venue_id=venue.id, name=name, kind=kind)
    session.add(resource)
    await session.flush()
    _audit(
        session,
        venue,
        actor,
        "resource.created",
        "resource",
        resource.id,
        {
            "name": name,
            "kind": kind,
        },
        now,
    )
    return resource


async def remove_absence(
    session: AsyncSession,
    venue: Venue,
    member: StaffMember,
    absence_id: uuid.UUID,
    actor: Actor,
    now: datetime,
) -> None:
    absence = await session.scalar(
        select(StaffAbsence).where(
            StaffAbsence.tenant_id == venue.tenant_id,
            StaffAbsence.staff_member_id == member.id,
            StaffAbsence.id == absence_id,
        )
    )
    if absence is None:
        raise NotFound("no such absence")
    await session.delete(absence)
    await session.flush()
    _audit(
        session,
        venue,
        actor,
        "staff_member.absence_removed",
        "staff_member",
        member.id,
        {
            "first_day": absence.first_day.isoformat(),
            "last_day": absence.last_day.isoformat(),
        },
        now,
    )
