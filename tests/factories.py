"""Test data: ``create_<thing>(session, *, sensible defaults)``, each in a new tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import SYSTEM
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
