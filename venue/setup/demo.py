"""The demo tenant: a nightclub with 30 tables in three tiers and four weeks of nights."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import SYSTEM
from venue.core.tokens import hash_token, new_token
from venue.models import (
    Area,
    CommissionRule,
    DepositRuleRow,
    FloorPlan,
    Host,
    Night,
    PriceAdjustmentRow,
    Reservation,
    ReservationSpend,
    ReservationTable,
    Sitting,
    StaffUser,
    TableLink,
    Tenant,
    TierPriceRow,
    Turnaway,
    Venue,
    VenueRules,
    VenueTable,
)
from venue.setup.nights import create_night

DEMO_SLUG = "velvet"
DEMO_STAFF_EMAIL = "manager@velvet.example"
DEMO_HOST_EMAIL = "jade@velvet.example"

# (area, tier, count, seats min-max, shape, origin x, origin y, columns, spacing)
LAYOUT = [
    ("Main floor", "standard", 14, (2, 6), "round", 90, 380, 7, 110),
    ("Booths", "premium", 10, (4, 10), "booth", 90, 120, 5, 150),
    ("VIP mezzanine", "vip", 6, (6, 16), "rect", 840, 90, 1, 95),
]
TIER_PRICES = [
    ("standard", 30000, 20000, 90000),
    ("premium", 75000, 50000, 200000),
    ("vip", 200000, 150000, 600000),
]
ADJUSTMENTS = [
    ("weekday", "percent", 2500, None, {"weekdays": [5]}, "Saturday", 0),
    ("weekday", "percent", 1500, None, {"weekdays": [4]}, "Friday", 1),
    ("event_type", "percent", 3000, None, {"event_types": ["headliner"]}, "Headliner", 0),
    ("event_type", "percent", -2500, None, {"event_types": ["industry"]}, "Industry night", 1),
    ("demand", "percent", 1000, None, {"threshold_bp": 5000, "scope": "tier"}, "Half full", 0),
    ("demand", "percent", 1500, None, {"threshold_bp": 8000, "scope": "tier"}, "Nearly full", 1),
    ("lead_time", "percent", 1000, "vip", {"within_hours": 24}, "Last-minute VIP", 0),
]
DEPOSITS = [("standard", "none", 0), ("premium", "percent", 2500), ("vip", "percent", 2500)]


async def seed_demo(
    session: AsyncSession, today: date, now: datetime, *, staff_password: str
) -> Venue:
    """Create the demo tenant once; a second call returns the existing venue."""
    existing = await session.scalar(select(Venue).where(Venue.slug == DEMO_SLUG))
    if existing is not None:
        return existing
    tenant = Tenant(name="Velvet Group", slug="velvet-group")
    session.add(tenant)
    await session.flush()
    venue = Venue(
        tenant_id=tenant.id,
        slug=DEMO_SLUG,
        name="Velvet Room",
        timezone="Europe/London",
        currency="GBP",
        country="GB",
        phone="+442079460000",
        email="bookings@velvet.example",
        brand_color="#c8a24a",
    )
    session.add(venue)
    await session.flush()
    session.add(VenueRules(tenant_id=tenant.id, venue_id=venue.id, cutoff_minutes=30))
    await _floor(session, venue)
    _prices(session, venue)
    host = Host(tenant_id=tenant.id, name="Jade Okafor", email=DEMO_HOST_EMAIL, code="JADE")
    session.add(host)
    await session.flush()
    hasher = PasswordHasher()
    session.add_all(
        [
            StaffUser(
                tenant_id=tenant.id,
                email=DEMO_STAFF_EMAIL,
                name="Sam Manager",
                role="manager",
                password_hash=hasher.hash(staff_password),
            ),
            StaffUser(
                tenant_id=tenant.id,
                email=DEMO_HOST_EMAIL,
                name="Jade Okafor",
                role="host",
                password_hash=hasher.hash(staff_password),
                host_id=host.id,
            ),
        ]
    )
    for offset in range(28):
        await _night(session, venue, today + timedelta(days=offset), now)
    await _money_history(session, venue, host, today, now)
    return venue


async def _floor(session: AsyncSession, venue: Venue) -> None:
    plan = FloorPlan(
        tenant_id=venue.tenant_id, venue_id=venue.id, name="Club", width=1000, height=700
    )
    session.add(plan)
    await session.flush()
    for area_name, tier, count, (lo, hi), shape, x0, y0, cols, step in LAYOUT:
        area = Area(tenant_id=venue.tenant_id, floor_plan_id=plan.id, name=area_name)
        session.add(area)
        await session.flush()
        tables = []
        for i in range(count):
            row, col = divmod(i, cols)
            size = 70 if shape == "booth" else 56
            table = VenueTable(
                tenant_id=venue.tenant_id,
                venue_id=venue.id,
                floor_plan_id=plan.id,
                area_id=area.id,
                label=f"{tier[0].upper()}{i + 1}",
                tier=tier,
                min_party=lo,
                max_party=hi,
                shape=shape,
                x=x0 + col * step,
                y=y0 + row * (step + 10),
                width=size + (30 if shape == "rect" else 0),
                height=size,
                rotation=0 if shape != "rect" else 90,
            )
            session.add(table)
            tables.append(table)
        await session.flush()
        if tier == "standard":  # neighbouring floor tables can be pushed together
            for i, (a, b) in enumerate(pairwise(tables), start=1):
                if i % cols:
                    lo_id, hi_id = sorted([a.id, b.id])
                    session.add(
                        TableLink(tenant_id=venue.tenant_id, table_a_id=lo_id, table_b_id=hi_id)
                    )


def _prices(session: AsyncSession, venue: Venue) -> None:
    scope = {"tenant_id": venue.tenant_id, "venue_id": venue.id}
    for pos, (tier, base, floor, ceiling) in enumerate(TIER_PRICES):
        session.add(
            TierPriceRow(
                **scope, tier=tier, base_minimum=base, floor=floor, ceiling=ceiling, position=pos
            )
        )
    for kind, mode, value, adj_tier, criteria, label, pos in ADJUSTMENTS:
        session.add(
            PriceAdjustmentRow(
                **scope,
                kind=kind,
                mode=mode,
                value=value,
                tier=adj_tier,
                criteria=criteria,
                label=label,
                position=pos,
            )
        )
    for tier, mode, value in DEPOSITS:
        session.add(DepositRuleRow(**scope, tier=tier, mode=mode, value=value))


async def _night(session: AsyncSession, venue: Venue, day: date, now: datetime) -> Night:
    weekday = day.weekday()
    event_type, title = {
        1: ("industry", "Industry Tuesday"),
        3: ("regular", "Thursday Sessions"),
        4: ("regular", "Friday Late"),
        5: ("headliner", "Saturday Headliner"),
    }.get(weekday, ("regular", None))
    night = await create_night(
        session,
        venue,
        day,
        time(22, 0),
        time(4, 0),
        actor=SYSTEM,
        now=now,
        event_type=event_type,
        title=title,
    )
    if weekday in (0, 2, 6):
        night.is_closed, night.closed_reason = True, "Closed tonight"
    return night


HISTORY_WEEKS = 6


async def _money_history(
    session: AsyncSession, venue: Venue, host: Host, today: date, now: datetime
) -> None:
    """Commission rules for the demo host and six weeks of past nights (bookings made at
    various lead times, shows, no-shows, cancellations, spends, turned-away parties), so
    finance's forecast has a pace to compare with."""
    scope = {"tenant_id": venue.tenant_id, "venue_id": venue.id}
    session.add_all(
        [
            CommissionRule(**scope, basis="minimum_pct", value=800, created_at=now),
            CommissionRule(**scope, host_id=host.id, basis="spend_pct", value=1000, created_at=now),
            CommissionRule(
                **scope, host_id=host.id, tier="vip", basis="spend_pct", value=1200, created_at=now
            ),
        ]
    )
    tables = list(await session.scalars(select(VenueTable).where(VenueTable.venue_id == venue.id)))
    prices = {tier: base for tier, base, _, _ in TIER_PRICES}
    rng = random.Random(20261121)
    for offset in range(HISTORY_WEEKS * 7, 0, -1):
        night = await _night(session, venue, today - timedelta(days=offset), now)
        if night.is_closed:
            continue
        sitting = await session.scalar(select(Sitting).where(Sitting.night_id == night.id))
        assert sitting is not None
        busy = 0.35 + 0.4 * (night.business_date.weekday() >= 4) + rng.uniform(-0.1, 0.1)
        rows = [
            row
            for table in rng.sample(tables, int(len(tables) * busy))
            for row in _past_booking(session, venue, host, night, sitting, table, prices, rng)
        ]
        await session.flush()  # reservations before the rows that point at them
        session.add_all(rows)
        for _ in range(rng.randint(0, 4) if busy > 0.6 else 0):
            session.add(_turnaway(venue, night.business_date, rng, night.opens_at))
    for offset in range(1, 28):
        day = today + timedelta(days=offset)
        if day.weekday() in (4, 5):
            for _ in range(rng.randint(1, 5)):
                session.add(_turnaway(venue, day, rng, now))


def _past_booking(
    session: AsyncSession,
    venue: Venue,
    host: Host,
    night: Night,
    sitting: Sitting,
    table: VenueTable,
    prices: dict[str, int],
    rng: random.Random,
) -> list[ReservationTable | ReservationSpend]:
    """Add a past reservation; return the rows that point at it (added after a flush)."""
    roll = rng.random()
    status = "completed" if roll < 0.8 else "no_show" if roll < 0.9 else "cancelled"
    minimum = prices[table.tier] * (125 if night.business_date.weekday() == 5 else 100) // 100
    created = night.opens_at - timedelta(hours=rng.triangular(1, 24 * 21, 24 * 3))
    by_host = rng.random() < 0.3
    res = Reservation(
        id=uuid.uuid4(),
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        night_id=night.id,
        sitting_id=sitting.id,
        status=status,
        starts_at=sitting.starts_at,
        ends_at=sitting.ends_at,
        party_size=rng.randint(table.min_party, table.max_party),
        host_id=host.id if by_host else None,
        channel="host" if by_host else "online",
        created_by="seed",
        currency=venue.currency,
        quoted_minimum=minimum,
        quoted_deposit=0,
        quote={"tables": [{"table_id": str(table.id), "label": table.label, "minimum": minimum}]},
        token_hash=hash_token(new_token()),
        created_at=created,
        updated_at=night.closes_at,
    )
    session.add(res)
    table_row = ReservationTable(
        tenant_id=venue.tenant_id,
        reservation_id=res.id,
        table_id=table.id,
        status=status,
        starts_at=res.starts_at,
        ends_at=res.ends_at,
    )
    if status != "completed":
        return [table_row]
    spend = ReservationSpend(
        tenant_id=venue.tenant_id,
        reservation_id=res.id,
        amount=minimum * rng.randint(100, 170) // 100,
        currency=venue.currency,
        actor="seed",
        at=night.closes_at,
    )
    return [table_row, spend]


def _turnaway(venue: Venue, day: date, rng: random.Random, at: datetime) -> Turnaway:
    return Turnaway(
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        business_date=day,
        party_size=rng.randint(2, 10),
        reason="table_unavailable",
        channel="online",
        at=at,
    )
