"""Shared steps of the waitlist tests: a full night, entries, a freed table."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, create_night_for, create_venue
from venue.core.actor import GUEST, SYSTEM
from venue.guests.identity import identify
from venue.models import Reservation, WaitlistOffer
from venue.reservations import booking
from venue.waitlist import entries, loop

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SAT = date(2026, 11, 21)
SECRET = "s" * 40


async def full_night(session: AsyncSession, **kw: object) -> tuple[World, list[Reservation]]:
    """A venue whose every table is booked on Saturday."""
    world = await create_venue(session, **kw)  # type: ignore[arg-type]
    await create_night_for(session, world, SAT, now=NOW)
    booked = []
    for i, table in enumerate(world.tables):
        req = booking.HoldRequest(SAT, [table.id], min(2, table.max_party))
        hold = await booking.place_hold(session, world.venue, req, GUEST, NOW)
        who = identify(f"Booker {i}", f"booker{i}@example.com", None, "GB")
        done = await booking.complete_hold(session, world.venue, hold.reservation, who, GUEST, NOW)
        booked.append(done.reservation)
    return world, booked


async def join(
    session: AsyncSession, world: World, name: str, party: int = 2, **kw: object
) -> entries.Joined:
    req = entries.JoinRequest(
        SAT,
        party,
        name,
        f"{name.lower()}@example.com",
        None,
        **kw,  # type: ignore[arg-type]
    )
    return await entries.join(session, world.venue, req, GUEST, NOW)


async def cancel(session: AsyncSession, res: Reservation, now: datetime = NOW) -> None:
    await booking.cancel(session, res, SYSTEM, now, "guest cancelled")


async def consume(session: AsyncSession, now: datetime = NOW) -> list[WaitlistOffer]:
    await session.flush()  # the sessions do not autoflush; in service the events are committed
    _, made = await loop.consume_once(session, now, SECRET)
    return [m.offer for m in made]


async def offers_of(session: AsyncSession, world: World) -> list[WaitlistOffer]:
    rows = await session.scalars(
        select(WaitlistOffer)
        .where(WaitlistOffer.venue_id == world.venue.id)
        .order_by(WaitlistOffer.created_at)
    )
    return list(rows)
