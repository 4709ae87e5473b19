"""Reading a venue's configuration: the venue by slug, its rules, nights, floor plan.

Reading never writes: a venue created before rules were created with it has no rules row
and reads the defaults (``rules_of``); the paths that change rules create the row first
(``ensure_rules``)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.errors import NotFound
from venue.models import Area, FloorPlan, Night, Sitting, Venue, VenueRules


async def venue_by_slug(session: AsyncSession, slug: str) -> Venue:
    venue = await session.scalar(select(Venue).where(Venue.slug == slug))
    if venue is None:
        raise NotFound(f"no venue '{slug}'")
    return venue


async def venues_of_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> list[Venue]:
    """A tenant's venues by name (the staff and host menus)."""
    rows = await session.scalars(
        select(Venue).where(Venue.tenant_id == tenant_id).order_by(Venue.name)
    )
    return list(rows)


def default_rules(venue: Venue) -> VenueRules:
    """The rules of a venue that has no rules row: every column's default, not added to
    the session (reading does not write)."""
    values = {
        column.key: column.default.arg
        for column in VenueRules.__table__.columns
        if column.default is not None and column.default.is_scalar
    }
    return VenueRules(tenant_id=venue.tenant_id, venue_id=venue.id, **values)


async def _stored_rules(session: AsyncSession, venue: Venue) -> VenueRules | None:
    return await session.scalar(
        select(VenueRules).where(
            VenueRules.tenant_id == venue.tenant_id, VenueRules.venue_id == venue.id
        )
    )


async def rules_of(session: AsyncSession, venue: Venue) -> VenueRules:
    """The venue's booking rules, or the defaults if it never had a row (read only)."""
    return await _stored_rules(session, venue) or default_rules(venue)


async def ensure_rules(session: AsyncSession, venue: Venue) -> VenueRules:
    """The venue's stored rules row, created with the defaults if missing: for the paths
    that change rules (a venue is created with its rules; older ones may lack the row)."""
    rules = await _stored_rules(session, venue)
    if rules is None:
        rules = default_rules(venue)
        session.add(rules)
        await session.flush()
    return rules


async def night_on(session: AsyncSession, venue: Venue, day: date) -> Night:
    night = await session.scalar(
        select(Night).where(
            Night.tenant_id == venue.tenant_id,
            Night.venue_id == venue.id,
            Night.business_date == day,
        )
    )
    if night is None:
        raise NotFound(f"{venue.name} has no night on {day.isoformat()}")
    return night


async def hold_context(
    session: AsyncSession, venue: Venue, day: date, sitting_id: uuid.UUID | None
) -> tuple[VenueRules, Night, Sitting]:
    """``rules_of``, ``night_on`` and ``sitting_of`` in one round trip (the night
    outer-joined to its sittings, in order, and to the venue's rules), for the hold."""
    rows = (
        await session.execute(
            select(Night, Sitting, VenueRules)
            .outerjoin(
                Sitting, and_(Sitting.night_id == Night.id, Sitting.tenant_id == Night.tenant_id)
            )
            .outerjoin(
                VenueRules,
                and_(
                    VenueRules.venue_id == Night.venue_id, VenueRules.tenant_id == Night.tenant_id
                ),
            )
            .where(
                Night.tenant_id == venue.tenant_id,
                Night.venue_id == venue.id,
                Night.business_date == day,
            )
            .order_by(Sitting.starts_at)
        )
    ).all()
    if not rows:
        raise NotFound(f"{venue.name} has no night on {day.isoformat()}")
    night, _, rules = rows[0]
    if rules is None:  # a venue without a rules row reads the defaults, as rules_of
        rules = default_rules(venue)
    sitting = pick_sitting(night, [s for _, s, _ in rows if s is not None], sitting_id)
    return rules, night, sitting


async def night_on_id(session: AsyncSession, venue: Venue, night_id: uuid.UUID) -> Night:
    night = await session.scalar(
        select(Night).where(
            Night.tenant_id == venue.tenant_id, Night.venue_id == venue.id, Night.id == night_id
        )
    )
    if night is None:
        raise NotFound("no such night")
    return night


async def nights_between(
    session: AsyncSession, venue: Venue, start: date, end: date
) -> list[Night]:
    result = await session.scalars(
        select(Night)
        .where(
            Night.tenant_id == venue.tenant_id,
            Night.venue_id == venue.id,
            Night.business_date >= start,
            Night.business_date <= end,
        )
        .order_by(Night.business_date)
    )
    return list(result)


async def sittings_of(session: AsyncSession, night: Night) -> list[Sitting]:
    result = await session.scalars(
        select(Sitting)
        .where(Sitting.tenant_id == night.tenant_id, Sitting.night_id == night.id)
        .order_by(Sitting.starts_at)
    )
    return list(result)


async def sitting_of(session: AsyncSession, night: Night, sitting_id: uuid.UUID | None) -> Sitting:
    return pick_sitting(night, await sittings_of(session, night), sitting_id)


def pick_sitting(night: Night, sittings: list[Sitting], sitting_id: uuid.UUID | None) -> Sitting:
    """The requested sitting of the night, or its first when none is asked for."""
    if not sittings:
        raise NotFound(f"the night of {night.business_date.isoformat()} has no sittings")
    if sitting_id is None:
        return sittings[0]
    for sitting in sittings:
        if sitting.id == sitting_id:
            return sitting
    raise NotFound("no such sitting on that night")


async def plan_and_areas(session: AsyncSession, venue: Venue) -> tuple[FloorPlan, list[Area]]:
    """The active floor plan with its areas, in one round trip (for the floor map)."""
    rows = (
        await session.execute(
            select(FloorPlan, Area)
            .outerjoin(
                Area, and_(Area.floor_plan_id == FloorPlan.id, Area.tenant_id == venue.tenant_id)
            )
            .where(
                FloorPlan.tenant_id == venue.tenant_id,
                FloorPlan.venue_id == venue.id,
                FloorPlan.is_active.is_(True),
            )
            .order_by(FloorPlan.id)
        )
    ).all()
    if not rows:
        raise NotFound(f"{venue.name} has no floor plan yet")
    plan = rows[0][0]  # one active plan per venue; order_by keeps the choice stable
    return plan, [a for p, a in rows if a is not None and p.id == plan.id]


async def active_plan(session: AsyncSession, venue: Venue) -> FloorPlan:
    plan = await session.scalar(
        select(FloorPlan)
        .where(
            FloorPlan.tenant_id == venue.tenant_id,
            FloorPlan.venue_id == venue.id,
            FloorPlan.is_active.is_(True),
        )
        .limit(1)
    )
    if plan is None:
        raise NotFound(f"{venue.name} has no floor plan yet")
    return plan


async def sittings_of_nights(
    session: AsyncSession, night_ids: list[uuid.UUID]
) -> list[tuple[Sitting, Night, Venue]]:
    """For system jobs only (the outbox relay): the sittings of these nights with their
    night and venue, in one round trip whatever the number of nights; by night, then start.
    A night without sittings is absent (it has no floor to publish)."""
    if not night_ids:
        return []
    rows = await session.execute(
        select(Sitting, Night, Venue)
        .join(Night, Night.id == Sitting.night_id)
        .join(Venue, Venue.id == Night.venue_id)
        .where(Night.id.in_(night_ids))
        .order_by(Night.id, Sitting.starts_at)
    )
    return [(sitting, night, venue) for sitting, night, venue in rows]


async def sitting_with_context(
    session: AsyncSession, sitting_id: uuid.UUID
) -> tuple[Sitting, Night, Venue] | None:
    """For the realtime snapshot: a floor channel is named by its sitting's id."""
    row = (
        await session.execute(
            select(Sitting, Night, Venue)
            .join(Night, Night.id == Sitting.night_id)
            .join(Venue, Venue.id == Night.venue_id)
            .where(Sitting.id == sitting_id)
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None
