"""Hosts' money: commission rules, the append-only commission ledger, actual spends,
attribution history and guest profiles.

The ledger's lifecycle, per (reservation, host), each line a row that is never changed::

    confirmed ──> accrual (+rule on the minimum)
       ├─ cancelled / no_show / expired ──> reversal (back to 0)
       ├─ completed (+ actual spend) ──> settlement (to the rule on the spend)
       ├─ payment.refunded ──> refund_adjustment (the refunded money leaves the basis)
       └─ reassigned ──> reassign_out (old host to 0) + reassign_in (new host)

Every line's ``amount`` is the *difference* between what the reservation implies now and
what the ledger already holds, so a reservation's lines always sum to what it implies.
Lines are written only by the outbox consumer (``venue.commissions``), keyed by the
event that caused them: ``(event_id, kind, host_id)`` is unique, so replaying an event
writes nothing twice. On PostgreSQL a trigger refuses UPDATE and DELETE on the ledger
(migration 0006).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigIntPK, Tenanted, utcnow
from .notifications import EventId

BASES = ("minimum_pct", "spend_pct", "flat_reservation", "flat_guest")
KINDS = (
    "accrual",
    "reversal",
    "settlement",
    "refund_adjustment",
    "spend_adjustment",
    "reassign_out",
    "reassign_in",
)


class CommissionRule(Tenanted, Base):
    """How a host earns on a reservation at a venue.

    ``host_id`` None: every host at the venue; ``tier`` None: every tier. The most
    specific active rule wins (host+tier, host, tier, venue). ``value`` is basis points
    for the percentage bases and minor units for the flat ones. Rules are deactivated,
    never edited: the ledger keeps a copy of the rule each line was computed with.
    """

    __tablename__ = "commission_rules"
    __table_args__ = (
        CheckConstraint("value >= 0", name="value_positive"),
        Index("ix_commission_rules_venue", "venue_id", "active"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    host_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"))
    tier: Mapped[str | None] = mapped_column(String(40))
    basis: Mapped[str] = mapped_column(String(20))
    value: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommissionEntry(Base):
    """One line of the append-only commission ledger (see the module docstring)."""

    __tablename__ = "commission_entries"
    __table_args__ = (
        UniqueConstraint("event_id", "kind", "host_id", name="uq_commission_entries_event"),
        Index("ix_commission_entries_host_at", "tenant_id", "host_id", "at"),
        Index("ix_commission_entries_reservation", "reservation_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    host_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"))
    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE")
    )
    business_date: Mapped[date]
    event_id: Mapped[int] = mapped_column(EventId)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    basis_amount: Mapped[int]
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ReservationSpend(Tenanted, Base):
    """What the table actually spent, entered by staff when closing it (once)."""

    __tablename__ = "reservation_spends"
    __table_args__ = (
        UniqueConstraint("reservation_id"),
        CheckConstraint("amount >= 0", name="amount_positive"),
    )

    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE")
    )
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class HostAttribution(Tenanted, Base):
    """History of explicit reassignments of a reservation's host (with the reason)."""

    __tablename__ = "host_attributions"
    __table_args__ = (Index("ix_host_attributions_reservation", "reservation_id"),)

    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE")
    )
    from_host_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hosts.id"))
    to_host_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hosts.id"))
    reason: Mapped[str] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class GuestProfile(Tenanted, Base):
    """What staff add to a guest record: tags (VIP...), notes, merge and erasure marks.

    The ``guests`` row is the profile's identity (one per person, matched by normalised
    email or phone); this row exists once staff add something to it.
    """

    __tablename__ = "guest_profiles"
    __table_args__ = (UniqueConstraint("guest_id"),)

    guest_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("guests.id", ondelete="CASCADE"))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("guests.id"))
    erased_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
