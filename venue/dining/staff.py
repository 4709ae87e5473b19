"""Staff bookings at a restaurant: a party on the phone or at the door, seated by the
venue's assignment (or on the tables staff name), past the online cutoff and window and
the online-only table class, confirmed at once, as for a club."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.guests.identity import GuestIdentity
from venue.models import Reservation, Venue
from venue.reservations import operations

from . import booking


async def book_party(
    session: AsyncSession,
    venue: Venue,
    req: booking.PartyRequest,
    who: GuestIdentity,
    seat_now: bool,
    actor: Actor,
    now: datetime,
) -> Reservation:
    hold = await booking.place(session, venue, req, actor, now)
    return await operations.confirm_for_guest(
        session, venue, hold.reservation, who, seat_now, actor, now
    )
