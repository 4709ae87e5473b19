"""A small salon to book against: ``create_salon(session, ...)`` in a new tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_venue
from venue.appointments import setup
from venue.core.actor import SYSTEM
from venue.models import Service, StaffMember, Venue

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday
WEEK = [0, 1, 2, 3, 4, 5]  # Monday to Saturday


@dataclass
class Salon:
    venue: Venue
    services: dict[str, Service]
    staff: dict[str, StaffMember]


def nine_to_five(days: list[int] = WEEK) -> setup.Hours:
    return {d: [(time(9), time(17))] for d in days}


async def create_salon(
    session: AsyncSession,
    *,
    timezone: str = "Europe/London",
    staff: list[setup.StaffSpec] | None = None,
    services: list[setup.ServiceSpec] | None = None,
    rules: dict[str, int] | None = None,
) -> Salon:
    world = await create_venue(session, timezone=timezone, tables=0, rules=rules)
    venue = world.venue
    venue.mode = "appointments"
    specs = services or [
        setup.ServiceSpec("Cut", 45, 4000, buffer_after_minutes=15),
        setup.ServiceSpec("Colour", 90, 9000, deposit=2000, buffer_before_minutes=15),
    ]
    made = {}
    for i, spec in enumerate(specs):
        made[spec.name] = await setup.add_service(session, venue, spec, SYSTEM, NOW, i)
    people = staff or [
        setup.StaffSpec("Ana", ["Cut", "Colour"], nine_to_five()),
        setup.StaffSpec("Ben", ["Cut"], nine_to_five()),
    ]
    members = {}
    for i, spec in enumerate(people):
        members[spec.name] = await setup.add_staff(session, venue, spec, made, SYSTEM, NOW, i)
    await session.flush()
    return Salon(venue, made, members)
