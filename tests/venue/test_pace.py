"""Booking pace: this night against the same weekday's recent nights at the same lead."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, create_night_for, create_venue
from venue.core.actor import GUEST
from venue.floor import quoting
from venue.guests.identity import identify
from venue.models import PriceAdjustmentRow
from venue.reservations import booking

SAT = date(2026, 11, 21)
OPENS = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)


async def book(session: AsyncSession, world: World, day: date, label: str, at: datetime) -> None:
    req = booking.HoldRequest(day, [world.table(label).id], 2)
    hold = await booking.place_hold(session, world.venue, req, GUEST, at)
    who = identify(f"Guest {label}{day}", f"{label}-{day}@example.com", None, "GB")
    await booking.complete_hold(session, world.venue, hold.reservation, who, GUEST, at)


async def test_pace_compares_with_the_same_weekday_at_the_same_lead(session: AsyncSession) -> None:
    world = await create_venue(session, tables=4)
    lonely = await create_night_for(session, world, SAT + timedelta(weeks=8), now=OPENS)
    assert await quoting.pace_of(session, world.venue, lonely, OPENS) is None  # no history
    session.add(
        PriceAdjustmentRow(
            tenant_id=world.venue.tenant_id,
            venue_id=world.venue.id,
            kind="pace",
            mode="percent",
            value=1000,
            tier=None,
            criteria={"threshold_bp": 15000},
            label="Selling fast",
        )
    )
    for weeks in (1, 2):
        day = SAT - timedelta(weeks=weeks)
        await create_night_for(session, world, day, now=OPENS)
        opens = OPENS - timedelta(weeks=weeks)
        await book(session, world, day, "T1", opens - timedelta(days=3))  # early: counts
        await book(session, world, day, "T2", opens - timedelta(hours=2))  # late: not yet
    night = await create_night_for(session, world, SAT, now=OPENS)
    now = OPENS - timedelta(days=1)

    assert await quoting.pace_of(session, world.venue, night, now) == 0  # nothing booked yet
    await book(session, world, SAT, "T1", now - timedelta(hours=1))
    assert await quoting.pace_of(session, world.venue, night, now) == 10000  # on par
    await book(session, world, SAT, "T2", now)
    assert await quoting.pace_of(session, world.venue, night, now) == 20000  # twice as fast

    hold = await booking.place_hold(
        session, world.venue, booking.HoldRequest(SAT, [world.table("T3").id], 2), GUEST, now
    )
    lines = [line["label"] for line in hold.reservation.quote["tables"][0]["lines"]]
    assert "Selling fast" in lines
    assert hold.reservation.quoted_minimum == 55000
