from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted, utcnow


class Night(Tenanted, Base):
    """One trading night. ``business_date`` is the local date the night starts on,
    even when it closes after midnight; ``opens_at``/``closes_at`` are UTC instants."""

    __tablename__ = "nights"
    __table_args__ = (
        UniqueConstraint("venue_id", "business_date"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    business_date: Mapped[date]
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    event_type: Mapped[str] = mapped_column(String(40), default="regular")
    title: Mapped[str | None] = mapped_column(String(200))
    is_closed: Mapped[bool] = mapped_column(default=False)
    closed_reason: Mapped[str | None] = mapped_column(String(300))


class Sitting(Tenanted, Base):
    """A bookable time range within a night: a club night has one long sitting, a
    restaurant may have 18:00 and 20:30. Reservations occupy a sitting's range."""

    __tablename__ = "sittings"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_starts"),)

    night_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nights.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # A restaurant's service (venue/dining): parties start from ``starts_at`` to
    # ``last_start_at`` every ``interval_minutes``, at most ``covers_limit`` guests in
    # all and ``pacing_covers`` starting per interval. Null on a club's sittings.
    # Copied from the service period when the night is opened; staff may edit them.
    covers_limit: Mapped[int | None]
    pacing_covers: Mapped[int | None]
    interval_minutes: Mapped[int | None]
    last_start_at: Mapped[datetime | None]


class TableBlock(Tenanted, Base):
    """A table taken out of sale for a night (private hire, maintenance)."""

    __tablename__ = "table_blocks"
    __table_args__ = (UniqueConstraint("night_id", "table_id"),)

    night_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nights.id", ondelete="CASCADE"))
    table_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venue_tables.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when an imported calendar's busy event made the block (venue/floor/calendar_import.py).
    source_import_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("calendar_imports.id", ondelete="CASCADE")
    )
    source_uid: Mapped[str | None] = mapped_column(String(255))
