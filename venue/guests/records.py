"""Guest records: one per person per tenant, matched by normalised email or phone."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.guests.identity import GuestIdentity
from venue.models import Guest, Night, Reservation, Status


async def guest_by_id(session: AsyncSession, guest_id: uuid.UUID) -> Guest | None:
    """The guest of a reservation already scoped to its tenant (from the identity map
    when loaded)."""
    return await session.get(Guest, guest_id)


async def find_or_create(session: AsyncSession, tenant_id: uuid.UUID, who: GuestIdentity) -> Guest:
    matches = [Guest.email == who.email] if who.email else []
    if who.phone:
        matches.append(Guest.phone == who.phone)
    guest = await session.scalar(
        select(Guest).where(Guest.tenant_id == tenant_id, or_(*matches)).order_by(Guest.created_at)
    )
    if guest is None:
        guest = Guest(tenant_id=tenant_id, name=who.name, email=who.email, phone=who.phone)
        session.add(guest)
        await session.flush()
    else:
        guest.email = guest.email or who.email
        guest.phone = guest.phone or who.phone
    return guest


async def bookings_on(
    session: AsyncSession, tenant_id: uuid.UUID, venue_id: uuid.UUID, guest_id: uuid.UUID, day: date
) -> int:
    """The guest's live bookings at this venue on that business date (for the daily cap)."""
    return int(
        await session.scalar(
            select(func.count(Reservation.id))
            .join(Night, Night.id == Reservation.night_id)
            .where(
                Reservation.tenant_id == tenant_id,
                Reservation.venue_id == venue_id,
                Reservation.guest_id == guest_id,
                Night.business_date == day,
                Reservation.status.in_(
                    [Status.PENDING_PAYMENT, Status.CONFIRMED, Status.SEATED, Status.COMPLETED]
                ),
            )
        )
        or 0
    )
