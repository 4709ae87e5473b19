from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted, utcnow


class CalendarFeed(Tenanted, Base):
    """A read-only iCalendar feed of a venue's bookings behind a secret URL.

    Scope: the whole venue, one area (``area_id``) or one host's clients (``host_id``).
    The URL's token is shown once, at creation or rotation; only its SHA-256 is kept, so
    rotating (a new token on the same row) or revoking (``revoked_at``) ends the old URL.
    """

    __tablename__ = "calendar_feeds"

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    host_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
