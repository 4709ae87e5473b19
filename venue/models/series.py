from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted, utcnow


class ReservationSeries(Tenanted, Base):
    """A standing reservation: the same table(s) at the same local time on the nights a
    recurrence rule names, each occurrence a real reservation (``Reservation.series_id``,
    ``Reservation.series_date`` the rule's date it honours).

    The rule is data, read as an RFC 5545 RRULE by python-dateutil
    (venue/reservations/series.py: ``rule_of``): ``freq`` ``weekly`` every ``every_n``
    weeks on ``weekday`` (0 = Monday), or ``monthly`` on the ``nth`` ``weekday`` of the
    month (-1: the last); from ``starts_on`` for ``occurrences`` nights or ``until`` a date.

    Lifecycle::

        active --(cancel this and following)--> active, ``ended_from`` set
        active --(cancel the whole series)--> cancelled

    Rule dates on or after ``ended_from`` are no longer the series'.
    """

    __tablename__ = "reservation_series"
    __table_args__ = (
        CheckConstraint("freq IN ('weekly', 'monthly')", name="freq_known"),
        CheckConstraint("every_n >= 1 AND every_n <= 4", name="every_n_range"),
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        CheckConstraint("(occurrences IS NULL) <> (until IS NULL)", name="occurrences_or_until"),
        CheckConstraint("party_size >= 1", name="party_positive"),
        CheckConstraint("status IN ('active', 'cancelled')", name="status_known"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    guest_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("guests.id"))
    host_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hosts.id"), index=True)
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    table_ids: Mapped[list[str]] = mapped_column(JSON)
    party_size: Mapped[int]
    channel: Mapped[str] = mapped_column(String(16))
    freq: Mapped[str] = mapped_column(String(16))
    every_n: Mapped[int] = mapped_column(default=1)
    weekday: Mapped[int]
    nth: Mapped[int | None]
    starts_on: Mapped[date]
    occurrences: Mapped[int | None]
    until: Mapped[date | None]
    local_time: Mapped[time]
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active")
    ended_from: Mapped[date | None]
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the caller was told could not be honoured at creation, kept with the series.
    unbooked: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
