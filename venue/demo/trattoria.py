"""The demo's restaurant, beside the club (in a group of its own): Volta Trattoria, two dining
rooms of 20 tables (2-, 4- and 8-tops, some joinable, one kept for staff and one for
walk-ins; the big tables take six to eight, so a party of five is seated on joined
tables), two fixed sittings on weekdays and rolling times on weekends, a covers limit
below the seats, six weeks of history with the parties it could not seat, and the coming
six weeks partly booked. Tonight and tomorrow are booked through the restaurant's booking
transaction (venue/dining/booking.py) with its own clock; the other nights are seated by
the same maths in memory and written as rows. A refused party is kept as a turnaway with
its reason, as a guest's online refusal is."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import GUEST, SYSTEM, Actor
from venue.core.errors import DomainError
from venue.core.tokens import hash_token, new_token
from venue.demo.bookings import guests
from venue.dining import booking as dining
from venue.dining import capacity, nights, rules
from venue.guests import records as guests_records
from venue.journal.turnaways import record_turnaway
from venue.models import (
    Area,
    DepositRuleRow,
    FloorPlan,
    Guest,
    Night,
    Reservation,
    ReservationTable,
    Sitting,
    StaffUser,
    Status,
    TableLink,
    Tenant,
    TierPriceRow,
    Venue,
    VenueRules,
    VenueTable,
)
from venue.reservations import booking
from venue.setup import venues

TRATTORIA_SLUG = "trattoria"
# (area, label prefix, count, min, max, shape, x0, y0, columns, step, joinable in pairs)
ROOMS = [
    ("Sala", "S", 6, 1, 2, "square", 80, 110, 6, 95, True),
    ("Sala", "Q", 5, 2, 4, "square", 80, 260, 5, 115, False),
    # the big tables are for six to eight: a party of five is seated on joined tables
    ("Sala", "G", 2, 6, 8, "rect", 820, 110, 1, 150, False),
    ("Giardino", "D", 4, 1, 2, "round", 80, 470, 4, 95, True),
    ("Giardino", "F", 3, 2, 4, "round", 500, 470, 3, 115, True),
]
KEPT = {"G2": "in_house", "D4": "walk_in"}
TURNS = [(1, 90), (3, 105), (5, 120), (7, 150)]
WEEKDAY_COVERS = 48  # of 68 seats: the kitchen's limit, below the tables
WEEKEND_COVERS = 80  # over a rolling service
PACING = 14


def periods() -> list[rules.Period]:
    out = []
    for day in range(7):
        if day >= 4:  # Friday to Sunday: rolling starts every 15 minutes
            out.append(
                rules.Period(
                    "Dinner",
                    time(17, 30),
                    time(21, 30),
                    WEEKEND_COVERS,
                    weekday=day,
                    interval_minutes=15,
                    pacing_covers=PACING,
                )
            )
        else:
            out.append(
                rules.Period("First sitting", time(18, 0), time(18, 0), WEEKDAY_COVERS, weekday=day)
            )
            out.append(
                rules.Period(
                    "Second sitting", time(20, 30), time(20, 30), WEEKDAY_COVERS, weekday=day
                )
            )
    return out


# Its own group, so the club's staff and pages stay as they were: (role, email, name).
RESTAURANT_LOGINS = [
    ("manager", "manager@trattoria.example", "Rosa Manager"),
    ("floor", "floor@trattoria.example", "Gino Floor"),
]


async def seed_trattoria(
    session: AsyncSession,
    today: date,
    now: datetime,
    *,
    password_hash: str,
    history_weeks: int,
    days_ahead: int,
    seed: int = 20261201,
) -> Venue:
    tenant = Tenant(name="Volta Group", slug="volta-group")
    session.add(tenant)
    await session.flush()
    users = [
        StaffUser(
            tenant_id=tenant.id, email=email, name=name, role=role, password_hash=password_hash
        )
        for role, email, name in RESTAURANT_LOGINS
    ]
    session.add_all(users)
    await session.flush()
    staff = Actor("staff", str(users[1].id))
    venue = Venue(
        tenant_id=tenant.id,
        slug=TRATTORIA_SLUG,
        name="Volta Trattoria",
        timezone="Europe/London",
        currency="GBP",
        country="GB",
        phone="+442079460123",
        email="tavoli@trattoria.example",
        brand_color="#e8896f",  # terracotta light enough to read on the dark page
        mode="restaurant",
        created_at=now,
    )
    session.add(venue)
    await session.flush()
    session.add(
        VenueRules(
            tenant_id=tenant.id,
            venue_id=venue.id,
            cutoff_minutes=30,
            service_opens_minutes=16 * 60,
            max_party=14,
            per_guest_daily_cap=2,
        )
    )
    scope = {"tenant_id": tenant.id, "venue_id": venue.id}
    session.add(
        TierPriceRow(**scope, tier="dining", base_minimum=0, floor=None, ceiling=None, position=0)
    )
    session.add(DepositRuleRow(**scope, tier="dining", mode="none", value=0))
    await _floor(session, venue)
    await rules.replace(session, venue, periods(), TURNS, actor=str(SYSTEM), now=now)
    start = now - timedelta(weeks=history_weeks + 2)
    days = [today + timedelta(days=d) for d in range(-history_weeks * 7, days_ahead)]
    opened = [await nights.open_night(session, venue, d, actor=SYSTEM, now=start) for d in days]
    await _history(session, venue, opened, today, now, staff, random.Random(seed))
    return venue


async def _floor(session: AsyncSession, venue: Venue) -> None:
    plan = FloorPlan(
        tenant_id=venue.tenant_id, venue_id=venue.id, name="Dining rooms", width=1000, height=640
    )
    session.add(plan)
    await session.flush()
    areas: dict[str, Area] = {}
    for name, y, height in (("Sala", 60, 330), ("Giardino", 420, 170)):
        areas[name] = Area(
            tenant_id=venue.tenant_id,
            floor_plan_id=plan.id,
            name=name,
            x=40,
            y=y,
            width=920,
            height=height,
        )
        session.add(areas[name])
    await session.flush()
    for area, prefix, count, lo, hi, shape, x0, y0, cols, step, joinable in ROOMS:
        made = []
        for i in range(count):
            row, col = divmod(i, cols)
            label = f"{prefix}{i + 1}"
            table = VenueTable(
                tenant_id=venue.tenant_id,
                venue_id=venue.id,
                floor_plan_id=plan.id,
                area_id=areas[area].id,
                label=label,
                tier="dining",
                min_party=lo,
                max_party=hi,
                shape=shape,
                x=x0 + col * step,
                y=y0 + row * (step + 20),
                width=56 + (40 if shape == "rect" else 10 * (hi > 2)),
                height=56,
                booking_class=KEPT.get(label, "online"),
            )
            session.add(table)
            made.append(table)
        await session.flush()
        if joinable:  # neighbours can be pushed together, one after the other
            for a, b in pairwise(made):
                lo_id, hi_id = sorted([a.id, b.id])
                session.add(
                    TableLink(tenant_id=venue.tenant_id, table_a_id=lo_id, table_b_id=hi_id)
                )
    await session.flush()


PARTY_SIZES = [2, 2, 2, 2, 2, 3, 4, 4, 4, 5, 6, 2, 4, 7, 8]
# Tonight and tomorrow are booked through the services (audit, outbox, the live floor);
# the other nights' parties are seated by the same maths in memory and written as rows,
# as an import of a restaurant's bookings would be: months played through the services
# would make the demo slow to start (as venue/demo/archive.py says of the club).
LIVE_DAYS = 2


@dataclass(order=True)
class Ask:
    when: datetime
    seq: int
    at: datetime = field(compare=False)
    party: int = field(compare=False)
    guest: int = field(compare=False)


async def _history(
    session: AsyncSession,
    venue: Venue,
    opened: list[Night],
    today: date,
    now: datetime,
    staff: Actor,
    rng: random.Random,
) -> None:
    """Parties asking for each night, booked days before; the busy weekend evenings ask
    for more than the room holds, so some are refused and kept as turnaways."""
    people = [await guests_records.find_or_create(session, venue.tenant_id, w) for w in guests(48)]
    venue_rules = await venues.rules_of(session, venue)
    for night in opened:
        if night.is_closed:
            continue
        day = night.business_date
        floor = await capacity.read_floor(session, venue, night, now)
        asks = sorted(_asks(venue, floor, day, today, now, rng))
        if today <= day < today + timedelta(days=LIVE_DAYS):
            for ask in asks:
                await _book(session, venue, day, ask, people[ask.guest], staff, now)
        else:
            await _imported(session, venue, venue_rules, floor, asks, people, today, rng)


def _asks(
    venue: Venue,
    floor: capacity.Floor,
    day: date,
    today: date,
    now: datetime,
    rng: random.Random,
) -> list[Ask]:
    weekend = day.weekday() >= 4
    ahead = (day - today).days
    count = rng.randint(34, 44) if weekend else rng.randint(16, 26)
    if ahead > 0:  # the future is only partly booked yet
        count = int(count * max(0.15, 0.75 - ahead / 40))
    out = []
    for seq in range(count):
        sitting = rng.choice(floor.sittings)
        starts = capacity.starts_of(sitting, venue.timezone)
        # everyone wants 19:30-20:30 on a weekend
        at = rng.choice(starts[8:13] if weekend and rng.random() < 0.6 else starts)
        lead = timedelta(days=rng.triangular(0, 21, 3), hours=rng.randint(1, 9))
        when = at - timedelta(hours=2) - lead
        if when < now:
            out.append(Ask(when, seq, at, rng.choice(PARTY_SIZES), rng.randrange(48)))
    return out


async def _imported(
    session: AsyncSession,
    venue: Venue,
    venue_rules: VenueRules,
    floor: capacity.Floor,
    asks: list[Ask],
    people: list[Guest],
    today: date,
    rng: random.Random,
) -> None:
    """Seat each ask in order with ``capacity.evaluate`` against the night as booked so
    far (in memory), and write the bookings and turnaways as rows."""
    sittings = {s.id: s for s in floor.sittings}
    reservations: list[dict[str, object]] = []
    allocations: list[dict[str, object]] = []
    past = floor.night.business_date < today
    for ask in asks:
        sitting = next(s for s in floor.sittings if ask.at in _starts(venue, s))
        option = capacity.evaluate(floor, venue, venue_rules, sitting, ask.at, ask.party, ask.when)
        if not option.bookable:
            record_turnaway(
                session,
                venue.tenant_id,
                venue.id,
                reason=option.reason or "sitting_full_tables",
                business_date=floor.night.business_date,
                party_size=ask.party,
                channel="online",
                at=ask.when,
                sitting_name=sitting.name,
                starts_at=ask.at,
            )
            continue
        rid = uuid.uuid4()
        table_ids = frozenset(s.id for s in option.assigned)
        floor.booked.append(
            capacity.Booked(rid, sitting.id, option.starts_at, option.ends_at, ask.party, table_ids)
        )
        status = ("no_show" if rng.random() < 0.04 else "completed") if past else "confirmed"
        reservations.append(
            {
                "id": rid,
                "tenant_id": venue.tenant_id,
                "venue_id": venue.id,
                "night_id": floor.night.id,
                "sitting_id": sittings[sitting.id].id,
                "status": status,
                "starts_at": option.starts_at,
                "ends_at": option.ends_at,
                "expires_at": None,
                "party_size": ask.party,
                "guest_id": people[ask.guest].id,
                "host_id": None,
                "channel": "online",
                "created_by": "import",
                "currency": venue.currency,
                "quoted_minimum": 0,
                "quoted_deposit": 0,
                "quote": {"tables": [{"label": s.label} for s in option.assigned]},
                "notes": None,
                "token_hash": hash_token(new_token()),
                "cancel_reason": None,
                "version": 1,
                "created_at": ask.when,
                "updated_at": ask.when,
            }
        )
        allocations.extend(
            {
                "id": uuid.uuid4(),
                "tenant_id": venue.tenant_id,
                "reservation_id": rid,
                "table_id": t,
                "status": status,
                "starts_at": option.starts_at,
                "ends_at": option.ends_at,
            }
            for t in table_ids
        )
    if reservations:
        await session.execute(insert(Reservation), reservations)
        await session.execute(insert(ReservationTable), allocations)


def _starts(venue: Venue, sitting: Sitting) -> list[datetime]:
    return capacity.starts_of(sitting, venue.timezone)


async def _book(
    session: AsyncSession,
    venue: Venue,
    day: date,
    ask: Ask,
    guest: Guest,
    staff: Actor,
    now: datetime,
) -> None:
    """One party through the booking transaction with its own clock; a refusal is kept
    as a turnaway, as a guest's online refusal is."""
    req = dining.PartyRequest(day, ask.party, starts_at=ask.at)
    asked = dining.Asked()
    try:
        async with session.begin_nested():
            outcome = await dining.hold_party(session, venue, req, GUEST, ask.when, asked)
            if isinstance(outcome, booking.Refused):
                raise outcome.error
            res = await booking.transition(
                session, outcome.reservation, Status.CONFIRMED, GUEST, ask.when, guest_id=guest.id
            )
            if res.ends_at < now:
                await booking.transition(session, res, Status.SEATED, staff, res.starts_at)
                await booking.transition(session, res, Status.COMPLETED, staff, res.ends_at)
            elif res.starts_at < now:
                await booking.transition(session, res, Status.SEATED, staff, res.starts_at)
    except DomainError as exc:
        if exc.turnaway:
            record_turnaway(
                session,
                venue.tenant_id,
                venue.id,
                reason=exc.code,
                business_date=day,
                party_size=ask.party,
                channel="online",
                at=ask.when,
                sitting_name=asked.sitting_name,
                starts_at=asked.starts_at,
            )
