from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
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


class CalendarImport(Tenanted, Base):
    """An external calendar whose busy events block tables on the nights they overlap.

    Its events come from an uploaded ``.ics`` file or from ``url``, fetched on a schedule
    by the calendar-import loop. Each sync makes the blocks it owns
    (``TableBlock.source_import_id``) match the calendar: an event removed there removes
    its blocks here. ``table_ids`` names the tables an event takes (empty: every table).
    A failed fetch or a bad file is kept in ``last_error`` and changes no block.
    """

    __tablename__ = "calendar_imports"

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(120))
    url: Mapped[str | None] = mapped_column(String(2000))
    table_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    last_synced_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    events: Mapped[int] = mapped_column(default=0)
