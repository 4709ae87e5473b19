"""The demo salon (slug ``salon``): the salon preset in the demo's tenant (five services,
four staff with different hours and a lunch break each, Maya off on Mondays), with a few
appointments booked through the real services today and tomorrow so the staff day view
has something on it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from venue.appointments import availability
from venue.appointments import booking as appt
from venue.core.actor import SYSTEM
from venue.core.clock import local_to_utc
from venue.core.errors import DomainError
from venue.guests.identity import identify
from venue.models import StaffUser, Venue
from venue.presets.answers import parse
from venue.presets.catalog import preset
from venue.presets.create import create_venue
from venue.reservations import booking

SALON_SLUG = "salon"
SALON_LOGINS = [
    ("manager", "manager@salon.example", "Sol Manager", "/admin#/day"),
    ("floor", "desk@salon.example", "Dee Desk", "/admin#/day"),
]
# (day offset, local start, service, staff or None for anyone, guest)
DIARY = [
    (0, time(10, 0), "Cut", "Leo", "Nia Brooks"),
    (0, time(11, 0), "Colour", "Priya", "Ellie Shaw"),
    (0, time(14, 30), "Cut & blow-dry", None, "Grace Lin"),
    (0, time(16, 0), "Beard trim", "Sam", "Tom Reid"),
    (1, time(9, 30), "Highlights", "Priya", "Zara Ahmed"),
    (1, time(11, 15), "Cut", None, "Owen Price"),
    (1, time(15, 0), "Cut", "Sam", "Luca Romano"),
]


async def seed_salon(
    session: AsyncSession, today: date, now: datetime, *, password_hash: str
) -> Venue:
    """In a tenant of its own (the club's staff keep their one venue), with a sign-in per
    console role."""
    venue = await create_venue(
        session, parse(preset("salon", name="Studio Salon", slug=SALON_SLUG)), SYSTEM, now
    )
    session.add_all(
        StaffUser(
            tenant_id=venue.tenant_id,
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
        )
        for role, email, name, _ in SALON_LOGINS
    )
    await session.flush()
    services = {s.name: s for s in await availability.services_of(session, venue)}
    staff = {m.name: m for m in await availability.staff_of(session, venue)}
    for offset, start, service, who, guest in DIARY:
        day = today + timedelta(days=offset)
        req = appt.AppointmentRequest(
            services[service].id,
            local_to_utc(day, start, venue.timezone),
            staff[who].id if who else None,
            channel="phone",
            bypass_rules=True,
        )
        try:
            async with session.begin_nested():
                hold = await appt.place_hold(session, venue, req, SYSTEM, now)
                email = guest.lower().replace(" ", ".") + "@example.com"
                who_is = identify(guest, email, None, venue.country)
                await booking.complete_hold(
                    session, venue, hold.reservation, who_is, SYSTEM, now, enforce_cap=False
                )
        except DomainError:
            continue  # that person is off that weekday: the diary skips it
    return venue
