"""The demo tenant: a nightclub with 30 tables in three tiers, six weeks of history and
six weeks of nights ahead, booked through the real services (venue/demo/bookings.py).

Tonight is always open, whatever the weekday, and in full swing: booked at realistic
lead times, a few parties already seated, a deposit still awaited; the coming nights are
partly booked, the past ones completed, cancelled or no-shows with their spends, and the
hosts' commissions are in the ledger."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import SYSTEM, Actor
from venue.core.clock import to_local
from venue.demo import bookings as demo_bookings
from venue.demo import brand as demo_brand
from venue.demo.archive import archive_night
from venue.demo.bookings import Diary
from venue.demo.salon import seed_salon
from venue.demo.trattoria import TRATTORIA_SLUG, seed_trattoria
from venue.guests.identity import identify
from venue.models import (
    Area,
    CommissionRule,
    DepositRuleRow,
    FloorPlan,
    Host,
    Night,
    PriceAdjustmentRow,
    Sitting,
    StaffUser,
    TableLink,
    Tenant,
    TierPriceRow,
    Venue,
    VenueRules,
    VenueTable,
)
from venue.reservations import operations, series
from venue.setup.nights import create_night

DEMO_SLUG = "velvet"
RESTAURANT_SLUG = TRATTORIA_SLUG
DEMO_STAFF_EMAIL = "manager@velvet.example"
DEMO_HOST_EMAIL = "jade@velvet.example"
# One sign-in per role: (role, email, name, where the role starts).
DEMO_LOGINS = [
    ("owner", "owner@velvet.example", "Olu Owner", "/admin"),
    ("manager", DEMO_STAFF_EMAIL, "Sam Manager", "/admin"),
    ("floor", "floor@velvet.example", "Fran Floor", "/admin"),
    ("host", DEMO_HOST_EMAIL, "Jade Okafor", "/host"),
    ("finance", "finance@velvet.example", "Finn Finance", "/admin/money"),
]
CLOSED_WEEKDAYS = (0, 2, 6)  # Monday, Wednesday, Sunday; never tonight, though
NIGHTS_AHEAD = 42  # the finance forecast looks 30 nights ahead; bookings open 60 days out
HISTORY_WEEKS = 6
# The last three days are booked through the services (shows, cancellations, settled
# commissions); the weeks before them are archive rows (venue/demo/archive.py).
RECENT_DAYS = 3
# Staff may seat and close from 06:00, when the demo's business day starts (16 hours
# before the doors), so a newcomer can run tonight at any hour.
SERVICE_OPENS_MINUTES = 16 * 60
CUTOFF_MINUTES = 30
# The standing reservation: a regular's booth every Thursday.
REGULAR_TABLE, REGULAR_WEEKDAY = "P3", 3

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
        created_at=now,
    )
    session.add(venue)
    await session.flush()
    session.add(
        VenueRules(
            tenant_id=tenant.id,
            venue_id=venue.id,
            cutoff_minutes=CUTOFF_MINUTES,
            service_opens_minutes=SERVICE_OPENS_MINUTES,
        )
    )
    await _floor(session, venue)
    _prices(session, venue)
    jade = Host(tenant_id=tenant.id, name="Jade Okafor", email=DEMO_HOST_EMAIL, code="JADE")
    marco = Host(
        tenant_id=tenant.id, name="Marco Reyes", email="marco@velvet.example", code="MARCO"
    )
    session.add_all([jade, marco])
    await session.flush()
    hasher = PasswordHasher()
    password = hasher.hash(staff_password)
    users = {
        role: StaffUser(
            tenant_id=tenant.id,
            email=email,
            name=name,
            role=role,
            password_hash=password,
            host_id=jade.id if role == "host" else None,
        )
        for role, email, name, _ in DEMO_LOGINS
    }
    session.add_all(users.values())
    await session.flush()
    await demo_brand.apply(session, venue, operations.staff_actor(users["manager"].id), now)
    start = now - timedelta(weeks=HISTORY_WEEKS + 4)  # before the first booking was made
    _commission_rules(session, venue, jade, start)
    nights = [
        await _night(session, venue, today + timedelta(days=offset), start, today)
        for offset in range(-HISTORY_WEEKS * 7, NIGHTS_AHEAD)
    ]
    diary = Diary(
        session,
        venue,
        hosts=[
            (jade, Actor("host", str(users["host"].id))),
            (marco, operations.staff_actor(users["manager"].id)),
        ],
        staff=operations.staff_actor(users["floor"].id),
        now=now,
        rng=random.Random(20261121),
        service_opens=timedelta(minutes=SERVICE_OPENS_MINUTES),
    )
    await _bookings(session, diary, nights, today)
    await seed_trattoria(
        session,
        today,
        now,
        password_hash=password,
        history_weeks=HISTORY_WEEKS,
        days_ahead=NIGHTS_AHEAD,
    )
    await seed_salon(session, today, now, password_hash=password)
    return venue


async def seeded_on(session: AsyncSession) -> date | None:
    """The business date the demo was seeded for (None: not seeded here)."""
    venue = await session.scalar(select(Venue).where(Venue.slug == DEMO_SLUG))
    if venue is None:
        return None
    return to_local(venue.created_at - timedelta(hours=6), venue.timezone).date()


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


async def _night(
    session: AsyncSession, venue: Venue, day: date, now: datetime, today: date
) -> Night:
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
    if weekday in CLOSED_WEEKDAYS and day != today:
        night.is_closed, night.closed_reason = True, f"Closed on {day:%A}s"
    return night


def _commission_rules(session: AsyncSession, venue: Venue, host: Host, at: datetime) -> None:
    scope = {"tenant_id": venue.tenant_id, "venue_id": venue.id}
    session.add_all(
        [
            CommissionRule(**scope, basis="minimum_pct", value=800, created_at=at),
            CommissionRule(**scope, host_id=host.id, basis="spend_pct", value=1000, created_at=at),
            CommissionRule(
                **scope, host_id=host.id, tier="vip", basis="spend_pct", value=1200, created_at=at
            ),
        ]
    )


def _waiting(diary: Diary, day: date) -> None:
    """The full Saturday's waitlist: a VIP party of twelve and a party of eight for the
    booths before 23:30; a standard table given up goes to neither, but to whoever joins
    next (the demo's path: join, someone cancels, the offer arrives)."""
    nia = identify("Nia Adeyemi", "nia.adeyemi@example.com", "+44 7700 900901", "GB")
    omar = identify("Omar Haddad", "omar.haddad@example.com", "+44 7700 900902", "GB")
    diary.waitlist(day, nia, 12, diary.now - timedelta(hours=3), tiers=["vip"])
    diary.waitlist(
        day, omar, 8, diary.now - timedelta(hours=2), tiers=["premium"], latest_time=time(23, 30)
    )


async def _bookings(session: AsyncSession, diary: Diary, nights: list[Night], today: date) -> None:
    """Every open night's bookings, in the order they were made; turned-away parties on
    busy nights, so finance's forecast has a pace and a demand to compare with."""
    venue, rng = diary.venue, diary.rng
    tables = list(await session.scalars(select(VenueTable).where(VenueTable.venue_id == venue.id)))
    tables.sort(key=lambda t: (t.tier, int(t.label[1:])))
    people = demo_bookings.guests()
    prices = {tier: base for tier, base, _, _ in TIER_PRICES}
    archive_host = diary.hosts[0][0]
    # The deposit still awaited: tonight's if online booking is still open, else the
    # next open night's (a hold is placed online, before the cutoff).
    cutoff = timedelta(minutes=CUTOFF_MINUTES + 5)
    awaiting = next(
        n for n in nights if not n.is_closed and n.opens_at - cutoff > diary.now
    ).business_date
    # The full Saturday: every table booked, two parties waiting for what nobody gives up.
    full = next(
        n.business_date
        for n in nights
        if not n.is_closed and n.business_date.weekday() == 5 and n.business_date > today
    )
    deposit = next(t for t in tables if t.tier == "premium")
    door = next(t for t in reversed(tables) if t.tier == "standard")
    regular = next(t for t in tables if t.label == REGULAR_TABLE)
    for night in nights:
        if night.is_closed:
            continue
        sitting = await session.scalar(select(Sitting).where(Sitting.night_id == night.id))
        assert sitting is not None
        day = night.business_date
        weekend = day.weekday() >= 4
        fill = 0.4 + 0.35 * weekend + rng.uniform(-0.08, 0.08)
        if day < today - timedelta(days=RECENT_DAYS):
            await archive_night(
                session, venue, archive_host, night, sitting, tables, prices, fill, rng
            )
            continue
        free = tables
        if day >= today and day.weekday() == REGULAR_WEEKDAY:  # the regular's booth
            free = [t for t in free if t is not regular]
        if day == awaiting:
            free = [t for t in free if t is not deposit]
            diary.awaiting_deposit(day, sitting, deposit)
        if day == today:
            fill = max(fill, 0.55)
            free = [t for t in free if t is not door]
            diary.walk_in(day, sitting, door)
        if day == full:
            diary.full_night(day, sitting, free, people)
            _waiting(diary, day)
        else:
            diary.night(day, sitting, free, people, fill, tonight=day == today)
        if weekend:
            diary.turned_away(day, rng.randint(1, 5), min(diary.now, night.opens_at))
    await diary.play()
    await _standing(session, diary, regular, today)


async def _standing(session: AsyncSession, diary: Diary, booth: VenueTable, today: date) -> None:
    """A regular's Thursday booth, every week from this one to the last night set up: a
    standing reservation taken by phone, on the floor each Thursday."""
    first = today + timedelta(days=(REGULAR_WEEKDAY - today.weekday()) % 7)
    rule = series.Rule(
        "weekly", REGULAR_WEEKDAY, first, until=today + timedelta(days=NIGHTS_AHEAD - 1)
    )
    req = series.SeriesRequest(
        rule=rule,
        table_ids=[booth.id],
        party_size=6,
        guest_name="Inès Moreau",
        guest_phone="+447700900456",
        notes="Regular: her Thursday booth",
    )
    await series.create(session, diary.venue, req, diary.staff, diary.now)
