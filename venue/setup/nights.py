"""Creating nights and their sittings from venue-local times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.clock import local_to_utc, span_to_utc
from venue.core.errors import InvalidRequest
from venue.journal.audit import record
from venue.models import Night, Sitting, Venue


@dataclass(frozen=True)
class SittingSpec:
    name: str
    starts: time
    ends: time


async def create_night(
    session: AsyncSession,
    venue: Venue,
    business_date: date,
    opens: time,
    closes: time,
    *,
    actor: Actor,
    now: datetime,
    event_type: str = "regular",
    title: str | None = None,
    sittings: list[SittingSpec] | None = None,
) -> Night:
    opens_at, closes_at = span_to_utc(business_date, opens, closes, venue.timezone)
    night = Night(
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        business_date=business_date,
        opens_at=opens_at,
        closes_at=closes_at,
        event_type=event_type,
        title=title,
    )
    session.add(night)
    await session.flush()
    for spec in sittings or [SittingSpec("Night", opens, closes)]:
        # A sitting that starts before the doors open on the clock is after midnight.
        day = business_date if spec.starts >= opens else business_date + timedelta(days=1)
        starts_at = local_to_utc(day, spec.starts, venue.timezone)
        end_day = day + timedelta(days=1) if spec.ends <= spec.starts else day
        ends_at = local_to_utc(end_day, spec.ends, venue.timezone)
        if starts_at < opens_at or ends_at > closes_at:
            raise InvalidRequest("sittings", f"sitting '{spec.name}' runs outside opening hours")
        session.add(
            Sitting(
                tenant_id=venue.tenant_id,
                night_id=night.id,
                name=spec.name,
                starts_at=starts_at,
                ends_at=ends_at,
            )
        )
    await session.flush()
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="night.created",
        entity="night",
        entity_id=night.id,
        before=None,
        after={
            "business_date": business_date.isoformat(),
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "event_type": event_type,
        },
        at=now,
    )
    return night
