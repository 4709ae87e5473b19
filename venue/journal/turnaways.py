"""Turned-away demand: every request that found nothing bookable, with its reason.

A refused request rolls back, but its turnaway is kept: ``record_after_refusal`` writes
it in a small transaction of its own after the refused work is rolled back."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from venue.models import Turnaway


def record_turnaway(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    venue_id: uuid.UUID,
    *,
    reason: str,
    business_date: date | None,
    party_size: int | None,
    channel: str,
    at: datetime,
) -> None:
    session.add(
        Turnaway(
            tenant_id=tenant_id,
            venue_id=venue_id,
            business_date=business_date,
            party_size=party_size,
            reason=reason,
            channel=channel,
            at=at,
        )
    )


async def record_after_refusal(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    venue_id: uuid.UUID,
    *,
    wrote: bool,
    reason: str,
    business_date: date | None,
    party_size: int | None,
    channel: str,
    at: datetime,
) -> None:
    """Keep a refusal as demand data and commit it alone. If the refused work wrote
    anything it is rolled back first; a refusal before any write keeps its transaction
    (and its connection: the losers of a hot table are many) for the turnaway. Pass ids,
    not ORM objects: the rollback expires them."""
    if wrote:
        await session.rollback()
    record_turnaway(
        session,
        tenant_id,
        venue_id,
        reason=reason,
        business_date=business_date,
        party_size=party_size,
        channel=channel,
        at=at,
    )
    await session.commit()
