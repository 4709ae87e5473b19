"""Test data: ``create_<thing>(session, *, sensible defaults)``, each in a new tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import SYSTEM
from venue.dining import nights as dining_nights
from venue.dining import rules as dining_rules
from venue.dining.rules import Period
from venue.models import (
    DepositRuleRow,
    FloorPlan,
    Night,
    TableLink,
    Tenant,
    TierPriceRow,
    Venue,
    VenueRules,
    VenueTable,
)
from venue.setup.nights import SittingSpec, create_night


@dataclass
class World:
    venue: Venue
    tables: list[VenueTable]
    nights: dict[date, Night]

    def table(self, label: str) -> VenueTable:
        return next(t for t in self.tables if t.label == label)


async def create_venue(
    session: AsyncSession,
    *,
    timezone: str = "Europe/London",
    tables: int = 4,
    tiers: tuple[str, ...] = ("standard",),
    seats: tuple[int, int] = (1, 6),
    deposit_bp: int = 0,
    base_minimum: int = 50000,
    rules: dict[str, int] | None = None,
) -> World:
    tag = uuid.uuid4().hex[:10]
    tenant = Tenant(name=f"Group {tag}", slug=f"group-{tag}")
    session.add(tenant)
    await session.flush()
    venue = Venue(
        tenant_id=tenant.id,
        slug=f"venue-{tag}",
        name=f"Venue {tag}",
        timezone=timezone,
        currency="GBP",
        country="GB",
        phone="+442079460000",
    )
    session.add(venue)
    await session.flush()
    session.add(VenueRules(tenant_id=tenant.id, venue_id=venue.id, **(rules or {})))
    plan = FloorPlan(tenant_id=tenant.id, venue_id=venue.id, name="Main")
    session.add(plan)
    await session.flush()
    made = []
    for i in range(tables):
        tier = tiers[i % len(tiers)]
        made.append(
            VenueTable(
                tenant_id=tenant.id,
                venue_id=venue.id,
                floor_plan_id=plan.id,
                label=f"T{i + 1}",
                tier=tier,
                min_party=seats[0],
                max_party=seats[1],
                x=60 * i,
                y=40,
            )
        )
    session.add_all(made)
    for pos, tier in enumerate(tiers):
        session.add(
            TierPriceRow(
                tenant_id=tenant.id,
                venue_id=venue.id,
                tier=tier,
                base_minimum=base_minimum * (pos + 1),
                floor=None,
                ceiling=None,
                position=pos,
            )
        )
        session.add(
            DepositRuleRow(
                tenant_id=tenant.id,
                venue_id=venue.id,
                tier=tier,
                mode="percent" if deposit_bp else "none",
                value=deposit_bp,
            )
        )
    await session.flush()
    return World(venue, made, {})


async def create_night_for(
    session: AsyncSession,
    world: World,
    day: date,
    *,
    opens: time = time(22, 0),
    closes: time = time(4, 0),
    sittings: list[SittingSpec] | None = None,
    event_type: str = "regular",
    now: datetime,
) -> Night:
    night = await create_night(
        session,
        world.venue,
        day,
        opens,
        closes,
        actor=SYSTEM,
        now=now,
        sittings=sittings,
        event_type=event_type,
    )
    world.nights[day] = night
    return night


async def link(session: AsyncSession, world: World, a: str, b: str) -> None:
    lo, hi = sorted([world.table(a).id, world.table(b).id])
    session.add(TableLink(tenant_id=world.venue.tenant_id, table_a_id=lo, table_b_id=hi))
    await session.flush()


DEFAULT_TURNS = ((1, 90), (3, 105), (5, 120), (7, 150))


async def create_restaurant(
    session: AsyncSession,
    *,
    tables: list[tuple[str, int, int]] | None = None,
    classes: dict[str, str] | None = None,
    links: tuple[tuple[str, str], ...] | list[tuple[str, str]] = (),
    periods: list[Period] | None = None,
    turns: tuple[tuple[int, int], ...] = DEFAULT_TURNS,
    timezone: str = "Europe/London",
    rules: dict[str, int] | None = None,
) -> World:
    """A restaurant: tables as (label, min party, max party), optional booking classes
    and join links by label, service periods (default: every day 18:00 and 20:30,
    40 covers each) and turn times."""
    world = await create_venue(session, tables=0, timezone=timezone, rules=rules)
    world.venue.mode = "restaurant"
    plan_id = await session.scalar(select(FloorPlan.id).where(FloorPlan.venue_id == world.venue.id))
    for i, (label, lo, hi) in enumerate(tables or [(f"T{n}", 1, 4) for n in range(1, 5)]):
        table = VenueTable(
            tenant_id=world.venue.tenant_id,
            venue_id=world.venue.id,
            floor_plan_id=plan_id,
            label=label,
            tier="standard",
            min_party=lo,
            max_party=hi,
            x=60 * i,
            y=40,
            booking_class=(classes or {}).get(label, "online"),
        )
        session.add(table)
        world.tables.append(table)
    await session.flush()
    for a, b in links:
        await link(session, world, a, b)
    if periods is None:
        periods = [
            Period(name, t, t, 40, weekday=d)
            for d in range(7)
            for name, t in (("Early", time(18, 0)), ("Late", time(20, 30)))
        ]
    await dining_rules.replace(
        session,
        world.venue,
        periods,
        list(turns),
        actor="system",
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return world


async def open_restaurant_night(
    session: AsyncSession, world: World, day: date, *, now: datetime
) -> Night:
    night = await dining_nights.open_night(session, world.venue, day, actor=SYSTEM, now=now)
    world.nights[day] = night
    return night
