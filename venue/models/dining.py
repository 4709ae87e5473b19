from __future__ import annotations

import uuid
from datetime import date, time

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted

# Who may be seated at a table: guests online, staff bookings (phone, in-house) only,
# or walk-ins only. A restaurant keeps tables back by classing them.
BOOKING_CLASSES = ("online", "in_house", "walk_in")


class ServicePeriod(Tenanted, Base):
    """A restaurant's service as a rule: on a weekday (``weekday``, Monday 0) or, as an
    exception, on one date (``on_date``: every row for that date replaces the weekday's
    rows; a row with ``is_closed`` closes the date). Start times run from
    ``first_start`` to ``last_start`` every ``interval_minutes`` (a fixed sitting has
    ``first_start == last_start``). ``covers_limit`` is the kitchen's limit for the
    service; ``pacing_covers`` caps the covers starting in one interval."""

    __tablename__ = "service_periods"
    __table_args__ = (
        CheckConstraint("weekday IS NOT NULL OR on_date IS NOT NULL", name="when_given"),
        CheckConstraint("weekday IS NULL OR (weekday >= 0 AND weekday <= 6)", name="weekday"),
        CheckConstraint("interval_minutes >= 5", name="interval_positive"),
        CheckConstraint("covers_limit >= 0", name="covers_positive"),
        CheckConstraint("pacing_covers IS NULL OR pacing_covers >= 1", name="pacing_positive"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    weekday: Mapped[int | None]
    on_date: Mapped[date | None]
    name: Mapped[str] = mapped_column(String(60))
    first_start: Mapped[time]
    last_start: Mapped[time]
    interval_minutes: Mapped[int] = mapped_column(default=15)
    covers_limit: Mapped[int]
    pacing_covers: Mapped[int | None]
    is_closed: Mapped[bool] = mapped_column(default=False)


class TurnTime(Tenanted, Base):
    """How long a party occupies its tables: parties of ``min_party`` or more (up to the
    next row's ``min_party``) stay ``minutes``."""

    __tablename__ = "turn_times"
    __table_args__ = (
        UniqueConstraint("venue_id", "min_party"),
        CheckConstraint("min_party >= 1", name="party_positive"),
        CheckConstraint("minutes >= 15", name="minutes_positive"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    min_party: Mapped[int]
    minutes: Mapped[int]
