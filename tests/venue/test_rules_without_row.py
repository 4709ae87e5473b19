"""A venue's booking rules: reading never writes; a venue without a rules row (older
data) reads the defaults, holds work on them, and changing rules creates the row."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World
from tests.venue.test_booking import NOW, hold_req, world_with_night
from venue.core.actor import SYSTEM
from venue.models import VenueRules
from venue.reservations import booking
from venue.setup import rules as rules_admin
from venue.setup import venues


async def _without_rules(session: AsyncSession) -> World:
    world = await world_with_night(session)
    await session.execute(delete(VenueRules).where(VenueRules.venue_id == world.venue.id))
    return world


async def _rows(session: AsyncSession, world: World) -> int:
    count = select(func.count()).where(VenueRules.venue_id == world.venue.id)
    return int(await session.scalar(count) or 0)


async def test_reading_missing_rules_gives_the_defaults_and_writes_nothing(
    session: AsyncSession,
) -> None:
    world = await _without_rules(session)
    rules = await venues.rules_of(session, world.venue)
    assert (rules.hold_minutes, rules.max_party, rules.version) == (10, 20, 1)
    assert rules not in session
    hold = await booking.place_hold(session, world.venue, hold_req(world), SYSTEM, NOW)
    assert hold.reservation.expires_at == NOW.replace(minute=10)
    assert await _rows(session, world) == 0


async def test_changing_rules_creates_the_missing_row(session: AsyncSession) -> None:
    world = await _without_rules(session)
    saved = await rules_admin.update_rules(
        session, world.venue, {"hold_minutes": 12}, 1, SYSTEM, NOW
    )
    assert saved.version == 2
    assert await _rows(session, world) == 1
    assert (await venues.rules_of(session, world.venue)).hold_minutes == 12
