from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted, utcnow


class Status(enum.StrEnum):
    """Reservation lifecycle (see ARCHITECTURE.md)::

        hold --(details)--> pending_payment --(paid)--> confirmed --> seated --> completed
          |                      |                          |            \\--> no_show
          \\--(TTL)--> expired    \\--(expired/failed)--> expired  \\--(cancel)--> cancelled
        (no deposit needed: hold --> confirmed directly)

    hold and pending_payment occupy their tables until ``expires_at``; confirmed and
    seated occupy them for the whole range; the rest occupy nothing.
    """

    HOLD = "hold"
    PENDING_PAYMENT = "pending_payment"
    CONFIRMED = "confirmed"
    SEATED = "seated"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


EXPIRING = (Status.HOLD, Status.PENDING_PAYMENT)
OCCUPYING = (Status.HOLD, Status.PENDING_PAYMENT, Status.CONFIRMED, Status.SEATED)
# Written into the PostgreSQL exclusion constraint's predicate.
OCCUPYING_SQL = ", ".join(f"'{s.value}'" for s in OCCUPYING)

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.HOLD: frozenset(
        {Status.PENDING_PAYMENT, Status.CONFIRMED, Status.CANCELLED, Status.EXPIRED}
    ),
    Status.PENDING_PAYMENT: frozenset({Status.CONFIRMED, Status.CANCELLED, Status.EXPIRED}),
    Status.CONFIRMED: frozenset({Status.SEATED, Status.NO_SHOW, Status.CANCELLED}),
    Status.SEATED: frozenset({Status.COMPLETED}),
}


class Guest(Tenanted, Base):
    __tablename__ = "guests"
    __table_args__ = (
        Index("ix_guests_tenant_email", "tenant_id", "email"),
        Index("ix_guests_tenant_phone", "tenant_id", "phone"),
    )

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Host(Tenanted, Base):
    """A VIP host or promoter who sources reservations."""

    __tablename__ = "hosts"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    code: Mapped[str] = mapped_column(String(20))
    commission_bp: Mapped[int] = mapped_column(default=1000)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reservation(Tenanted, Base):
    """A claim on one or more tables for a sitting's time range (a hold is its first
    state). ``version`` guards every state change (``WHERE version = :seen``)."""

    __tablename__ = "reservations"
    __table_args__ = (
        # Target of reservation_tables' cascading foreign key, so the allocation rows
        # always carry the reservation's current status and range.
        UniqueConstraint("id", "status", "starts_at", "ends_at", name="uq_reservations_alloc"),
        CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        CheckConstraint("party_size >= 1", name="party_positive"),
        CheckConstraint("quoted_minimum >= 0 AND quoted_deposit >= 0", name="money_positive"),
        Index("ix_reservations_night_status", "night_id", "status"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    night_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nights.id", ondelete="CASCADE"))
    sitting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sittings.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    party_size: Mapped[int]
    guest_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("guests.id"), index=True)
    host_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hosts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="online")
    created_by: Mapped[str] = mapped_column(String(80))
    currency: Mapped[str] = mapped_column(String(3))
    quoted_minimum: Mapped[int]
    quoted_deposit: Mapped[int]
    quote: Mapped[dict[str, Any]] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    # The guest's language (venue.core.i18n); None: the venue's default.
    language: Mapped[str | None] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    # An occurrence of a standing reservation, and the rule's date it honours (its night
    # may be another, an alternative the caller accepted).
    series_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reservation_series.id"), index=True
    )
    series_date: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReservationTable(Tenanted, Base):
    """One table taken by one reservation.

    ``status``, ``starts_at`` and ``ends_at`` are copies kept true by the database: a
    composite foreign key with ``ON UPDATE CASCADE`` rewrites them whenever the
    reservation changes. On PostgreSQL an exclusion constraint over the occupying rows
    (table ``=``, ``tstzrange(starts_at, ends_at)`` ``&&``) makes an overlap impossible
    to store, whatever the application does (see the initial migration).
    """

    __tablename__ = "reservation_tables"
    __table_args__ = (
        ForeignKeyConstraint(
            ["reservation_id", "status", "starts_at", "ends_at"],
            [
                "reservations.id",
                "reservations.status",
                "reservations.starts_at",
                "reservations.ends_at",
            ],
            onupdate="CASCADE",
            ondelete="CASCADE",
            name="fk_reservation_tables_reservation",
        ),
        UniqueConstraint("reservation_id", "table_id"),
        Index("ix_reservation_tables_table_time", "table_id", "starts_at", "ends_at"),
    )

    reservation_id: Mapped[uuid.UUID]
    table_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venue_tables.id"))
    status: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
