"""Turned-away demand: every request that found nothing bookable, with its reason."""

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
