from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted, utcnow


class EntryStatus(enum.StrEnum):
    """A waitlist entry's lifecycle::

        waiting --(a table fits: offer)--> offered --(accepted)--> booked
           |  ^                              |--(declined)--> declined
           |  \\------(offer withdrawn)------/--(lapsed)--> lapsed
           \\--(guest leaves)--> left    \\--(staff skip)--> skipped
        (staff book directly: waiting --> booked)

    Only ``waiting`` entries are offered a table; one offer at a time per entry.
    """

    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    DECLINED = "declined"
    LAPSED = "lapsed"
    LEFT = "left"
    SKIPPED = "skipped"


class OfferStatus(enum.StrEnum):
    """open --> accepted | declined | lapsed | withdrawn (skip, or the guest left)."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


class WaitlistEntry(Tenanted, Base):
    """A party waiting for a table on one night (and sitting, if they named one).

    Order is ``queue_no`` (one more than the night's last at joining), then ``created_at``
    and id for two joins that raced. What fits is data on the row: party size, the tiers
    and areas they accept (empty: any) and the latest start they accept. The guest's
    status page is reached with a token whose SHA-256 is ``token_hash``.
    """

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        Index("ix_waitlist_entries_night_status", "night_id", "status", "queue_no"),
        CheckConstraint("party_size >= 1", name="party_positive"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    night_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nights.id", ondelete="CASCADE"))
    sitting_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sittings.id", ondelete="CASCADE")
    )
    business_date: Mapped[date]
    party_size: Mapped[int]
    queue_no: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(8))
    tiers: Mapped[list[str]] = mapped_column(JSON, default=list)
    area_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    latest_start: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(String(500))
    channel: Mapped[str] = mapped_column(String(20), default="online")
    status: Mapped[str] = mapped_column(String(16), default=EntryStatus.WAITING.value)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reservations.id", ondelete="SET NULL")
    )
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)


class WaitlistOffer(Tenanted, Base):
    """A table offered to a waitlist entry: a real hold (``reservation_id``, channel
    ``waitlist``) placed through the one claim path, so two offers can never hold one
    table and an offer racing a guest's booking has one winner. The hold's ``expires_at``
    is the offer's. The link token is ``HMAC(secret, offer id)`` and is the hold's own
    token too (checkout and the manage page take it); only hashes are stored.
    """

    __tablename__ = "waitlist_offers"
    __table_args__ = (
        # One open offer per entry, whatever two workers do.
        Index(
            "uq_waitlist_offers_open_entry",
            "entry_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    entry_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("waitlist_entries.id", ondelete="CASCADE"), index=True
    )
    night_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nights.id", ondelete="CASCADE"))
    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    table_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=OfferStatus.OPEN.value)
    expires_at: Mapped[datetime]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    made_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    value: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
