"""Cancel links in emails, and the rule that closes them near the night.

The guest's own token (``reservations.token_hash``) is only known at hold time, so the
mail planner issues a second token per reservation: ``HMAC(secret, reservation id)``.
Its SHA-256 is stored in ``reservation_links`` when the confirmation is planned; the
renderer recomputes the token when it writes the message. Nothing usable sits in the
database (a leaked row gives a hash), every email of one reservation carries the same
link, and replanning is idempotent. Rotating the server secret retires old links (the
guest can still call the venue).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.errors import Conflict, NotFound
from venue.core.tokens import hash_token
from venue.models import Reservation, ReservationLink, Status, Venue
from venue.reservations import booking
from venue.setup import venues

from .sql import insert_ignore


class CancelCutoff(Conflict):
    """Too close to the night to cancel online: the guest has to call."""

    code = "cancel_cutoff"


def link_token(secret: str, reservation_id: uuid.UUID | str) -> str:
    mac = hmac.new(secret.encode(), f"manage:{reservation_id}".encode(), hashlib.sha256)
    return mac.hexdigest()


async def issue_link(session: AsyncSession, res: Reservation, secret: str, now: datetime) -> None:
    await insert_ignore(
        session,
        ReservationLink,
        {
            "id": uuid.uuid4(),
            "tenant_id": res.tenant_id,
            "reservation_id": res.id,
            "token_hash": hash_token(link_token(secret, res.id)),
            "created_at": now,
        },
    )


async def reservation_by_token(session: AsyncSession, venue: Venue, token: str) -> Reservation:
    """The reservation for the guest's own token or for an emailed link token."""
    try:
        return await booking.by_token(session, venue, token)
    except NotFound:
        pass
    res = await session.scalar(
        select(Reservation)
        .join(ReservationLink, ReservationLink.reservation_id == Reservation.id)
        .where(
            ReservationLink.token_hash == hash_token(token),
            Reservation.tenant_id == venue.tenant_id,
            Reservation.venue_id == venue.id,
        )
    )
    if res is None:
        raise NotFound("no such reservation")
    return res


async def check_guest_cancel(
    session: AsyncSession, venue: Venue, res: Reservation, now: datetime
) -> None:
    """Refuse a guest's own cancel of a booking inside the venue's cutoff.

    Holds and unpaid bookings may always be let go; a cancelled one stays harmlessly
    idempotent.
    """
    if res.status not in (Status.CONFIRMED, Status.SEATED):
        return
    rules = await venues.rules_of(session, venue)
    cutoff = res.starts_at - timedelta(minutes=rules.cancel_cutoff_minutes)
    if now >= cutoff:
        phone = venue.phone or ""
        call = f"please call {venue.name} on {phone}" if phone else f"please call {venue.name}"
        raise CancelCutoff(
            f"online cancellation closes {rules.cancel_cutoff_minutes} minutes before the "
            f"booking; {call}",
            phone=venue.phone,
            cutoff_minutes=rules.cancel_cutoff_minutes,
        )
