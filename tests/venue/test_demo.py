"""The demo's promise: the same table costs more on a headliner Saturday than on an
industry Tuesday, and every price explains itself."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.demo.seed import DEMO_LOGINS, seed_demo, seeded_on
from venue.floor import explain
from venue.hosts import commissions
from venue.models import (
    OCCUPYING,
    AuditEntry,
    CommissionEntry,
    Night,
    OutboxEvent,
    Reservation,
    ReservationTable,
    StaffUser,
    Venue,
    WaitlistEntry,
)
from venue.money import finance
from venue.setup import venues
from venue.staff.users import ROLES

OCCUPYING_VALUES = [s.value for s in OCCUPYING]

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday


async def test_headliner_saturday_costs_more_than_industry_tuesday(session: AsyncSession) -> None:
    venue = await seed_demo(session, NOW.date(), NOW, staff_password="demo-password-123")
    plan = await venues.active_plan(session, venue)
    from venue.floor.availability import tables_of

    table = next(t for t in await tables_of(session, venue, plan.id) if t.tier == "premium")
    saturday = date(2026, 11, 21)
    tuesday = saturday + timedelta(days=3)
    sat = await explain.table_quote(session, venue, saturday, table.id, None, NOW)
    tue = await explain.table_quote(session, venue, tuesday, table.id, None, NOW)
    assert sat["minimum"] > tue["minimum"]
    assert {"Saturday", "Headliner"} <= {line["label"] for line in sat["lines"]}
    assert "Industry night" in {line["label"] for line in tue["lines"]}


MONDAY = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # the demo closes Mondays, not tonight
LATE_WEDNESDAY = datetime(2026, 11, 18, 23, 30, tzinfo=UTC)  # past tonight's cutoff


async def _statuses(session: AsyncSession, venue: Venue, day: date) -> Counter[str]:
    rows = await session.scalars(
        select(Reservation.status)
        .join(Night, Night.id == Reservation.night_id)
        .where(Reservation.venue_id == venue.id, Night.business_date == day)
    )
    return Counter(rows)


async def test_tonight_is_in_full_swing_even_on_the_weekday_the_demo_closes(
    session: AsyncSession,
) -> None:
    today = MONDAY.date()
    venue = await seed_demo(session, today, MONDAY, staff_password="demo-password-123")
    tonight = await venues.night_on(session, venue, today)
    assert not tonight.is_closed
    now = await _statuses(session, venue, today)
    assert now["seated"] >= 3 and now["confirmed"] >= 5
    assert now["pending_payment"] == 1  # a deposit still awaited, still held
    pending = await session.scalar(
        select(Reservation).where(
            Reservation.venue_id == venue.id, Reservation.status == "pending_payment"
        )
    )
    assert pending is not None and pending.expires_at is not None
    assert pending.expires_at > MONDAY and pending.night_id == tonight.id
    walk_in = await session.scalar(
        select(Reservation).where(
            Reservation.venue_id == venue.id, Reservation.channel == "walk_in"
        )
    )
    assert walk_in is not None and walk_in.status == "seated"
    # The coming nights are partly booked, but for the first Saturday, which is full and
    # has a waitlist; closed ones say which day they close.
    saturday = next(
        today + timedelta(days=d) for d in range(1, 8) if (today + timedelta(days=d)).weekday() == 5
    )
    full = await _statuses(session, venue, saturday)
    assert full["confirmed"] + full["pending_payment"] == 30
    waiting = await session.scalars(
        select(WaitlistEntry.party_size).where(
            WaitlistEntry.venue_id == venue.id, WaitlistEntry.business_date == saturday
        )
    )
    assert sorted(waiting) == [8, 12]
    for offset in range(1, 8):
        night = await venues.night_on(session, venue, today + timedelta(days=offset))
        booked = await _statuses(session, venue, night.business_date)
        if night.is_closed:
            assert night.closed_reason == f"Closed on {night.business_date:%A}s"
            assert not booked
        else:
            live = booked["confirmed"] + booked["pending_payment"]
            assert 0 < live < 30 or night.business_date == saturday
    # History: shows, cancellations and no-shows, with spends on the completed ones.
    past = Counter(
        await session.scalars(
            select(Reservation.status)
            .join(Night, Night.id == Reservation.night_id)
            .where(Reservation.venue_id == venue.id, Night.business_date < today)
        )
    )
    assert past["completed"] > 50 and past["cancelled"] and past["no_show"]
    assert not past["confirmed"] and not past["seated"]
    # One sign-in per role.
    roles = set(
        await session.scalars(select(StaffUser.role).where(StaffUser.tenant_id == venue.tenant_id))
    )
    assert roles == {role for role, *_ in DEMO_LOGINS} == set(ROLES)
    assert await seeded_on(session) == today
    # Finance's 30-night forecast has a night (open or closed) on every one of its days.
    forecast = await finance.forecast(session, venue, today, 30, MONDAY)
    assert forecast["days"] == len(forecast["nights"]) == 30


async def test_demo_bookings_went_through_the_services(session: AsyncSession) -> None:
    """Audit and outbox for every booking made through the app, no table sold twice, and
    each host's ledger lines sum to what their reservations imply."""
    today = LATE_WEDNESDAY.date()
    venue = await seed_demo(session, today, LATE_WEDNESDAY, staff_password="demo-password-123")
    assert not (await venues.night_on(session, venue, today)).is_closed
    live = list(
        await session.scalars(
            select(Reservation).where(
                Reservation.venue_id == venue.id, Reservation.created_by != "import"
            )
        )
    )
    assert len(live) > 100
    audited = set(
        await session.scalars(
            select(AuditEntry.entity_id).where(
                AuditEntry.tenant_id == venue.tenant_id, AuditEntry.action == "reservation.held"
            )
        )
    )
    assert {str(r.id) for r in live} <= audited
    events = await session.scalar(
        select(func.count(OutboxEvent.id)).where(OutboxEvent.tenant_id == venue.tenant_id)
    )
    assert events and events >= len(live)
    # Past the online cutoff tonight, the awaited deposit is on the next open night.
    pending = await session.scalar(
        select(Reservation).where(
            Reservation.venue_id == venue.id, Reservation.status == "pending_payment"
        )
    )
    assert pending is not None and pending.starts_at > LATE_WEDNESDAY + timedelta(hours=12)
    # No table occupied twice in a sitting.
    occupied = await session.execute(
        select(ReservationTable.table_id, Reservation.sitting_id, func.count())
        .join(Reservation, Reservation.id == ReservationTable.reservation_id)
        .where(Reservation.venue_id == venue.id, Reservation.status.in_(OCCUPYING_VALUES))
        .group_by(ReservationTable.table_id, Reservation.sitting_id)
    )
    assert all(n == 1 for _, _, n in occupied)
    # Commissions for both hosts, each reservation's lines summing to what it implies.
    totals = dict(
        (
            await session.execute(
                select(CommissionEntry.host_id, func.sum(CommissionEntry.amount))
                .where(CommissionEntry.venue_id == venue.id)
                .group_by(CommissionEntry.host_id)
            )
        ).all()
    )
    assert len(totals) == 2 and all(v > 0 for v in totals.values())
    for res in [r for r in live if r.host_id is not None]:
        rule = await commissions.rule_for(session, res, res.host_id)  # type: ignore[arg-type]
        owed = commissions.implied(rule, await commissions.facts_of(session, res))
        assert (await commissions.balances_of(session, res.id)).get(res.host_id, 0) == owed
