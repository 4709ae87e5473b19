"""What every message says about its venue: the brand it wears and the venue's details
(stored in the message's context, so rendering never needs the database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from venue.guests.identity import display_phone
from venue.models import Venue
from venue.setup import brand


async def venue_context(session: AsyncSession, venue: Venue) -> dict[str, Any]:
    return {
        "brand": brand.mail_brand(venue, await brand.brand_row(session, venue)),
        "venue": {
            "name": venue.name,
            "slug": venue.slug,
            "phone": display_phone(venue.phone),
            "email": venue.email,
            "timezone": venue.timezone,
            "brand_color": venue.brand_color,
        },
    }
