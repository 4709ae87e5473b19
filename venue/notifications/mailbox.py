"""The local outbox as staff read it: mail "sent" while no SMTP server is configured."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.errors import NotFound
from venue.models import LocalMail, Venue


async def messages(session: AsyncSession, venue: Venue, limit: int) -> list[LocalMail]:
    """The venue's local mail, newest first."""
    rows = await session.scalars(
        select(LocalMail)
        .where(LocalMail.tenant_id == venue.tenant_id, LocalMail.venue_id == venue.id)
        .order_by(LocalMail.at.desc())
        .limit(limit)
    )
    return list(rows)


async def message(session: AsyncSession, venue: Venue, mail_id: uuid.UUID) -> LocalMail:
    """One message of the venue's local mail; another venue's is not found."""
    found = await session.get(LocalMail, mail_id)
    if found is None or found.tenant_id != venue.tenant_id or found.venue_id != venue.id:
        raise NotFound("no such message")
    return found
