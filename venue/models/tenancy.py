from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted, utcnow


class Tenant(Base):
    """A venue group or agency client: the unit of isolation."""

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


VENUE_MODES = ("club", "restaurant", "appointments")


class Venue(Tenanted, Base):
    __tablename__ = "venues"
    __table_args__ = (
        CheckConstraint("mode IN ('club', 'restaurant', 'appointments')", name="mode_known"),
    )

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    # ISO 3166 region: how to read a guest's phone number written without "+".
    country: Mapped[str] = mapped_column(String(2), default="GB")
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    brand_color: Mapped[str] = mapped_column(String(7), default="#c8a24a")
    logo_url: Mapped[str | None] = mapped_column(String(500))
    # How guests book: "club" (a table on the floor map), "restaurant" (a party at a
    # sitting, seated by the venue) or "appointments" (a service with a staff member).
    mode: Mapped[str] = mapped_column(String(16), default="club", server_default="club")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VenueRules(Tenanted, Base):
    """The booking rules a venue edits without a deploy (one row per venue)."""

    __tablename__ = "venue_rules"
    __table_args__ = (
        UniqueConstraint("venue_id"),
        CheckConstraint("hold_minutes > 0", name="hold_positive"),
        CheckConstraint("min_party >= 1 AND max_party >= min_party", name="party_range"),
        CheckConstraint("slot_interval_minutes > 0", name="slot_interval_positive"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    hold_minutes: Mapped[int] = mapped_column(default=10)
    # A hold waiting on Stripe lives at least as long as the Checkout session.
    payment_hold_minutes: Mapped[int] = mapped_column(default=30)
    cutoff_minutes: Mapped[int] = mapped_column(default=60)
    # Guests' cancel links stop working this long before the sitting (then: call us).
    cancel_cutoff_minutes: Mapped[int] = mapped_column(default=120)
    # Staff seat, complete and mark no-shows from this long before the sitting starts.
    service_opens_minutes: Mapped[int] = mapped_column(default=120)
    booking_window_days: Mapped[int] = mapped_column(default=60)
    min_party: Mapped[int] = mapped_column(default=1)
    max_party: Mapped[int] = mapped_column(default=20)
    per_guest_daily_cap: Mapped[int] = mapped_column(default=2)
    # Quoted minimums are rounded to this many minor units (e.g. 500 = to 5.00).
    price_rounding_step: Mapped[int] = mapped_column(default=500)
    # A waitlist offer holds its table this long; within ``waitlist_short_within_minutes``
    # of the sitting's start, only ``waitlist_short_offer_minutes``.
    waitlist_offer_minutes: Mapped[int] = mapped_column(default=15)
    waitlist_short_offer_minutes: Mapped[int] = mapped_column(default=5)
    waitlist_short_within_minutes: Mapped[int] = mapped_column(default=180)
    # Restaurants: guests may pick their own table(s) among those that fit the party.
    guests_choose_tables: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Appointments venues: guests are offered start times on this grid (minutes).
    slot_interval_minutes: Mapped[int] = mapped_column(default=15, server_default="15")
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StaffUser(Tenanted, Base):
    """A person who signs in: owner/manager, floor staff, host or finance."""

    __tablename__ = "staff_users"
    # Unique per tenant only; the index on email alone serves sign-in, which looks in
    # every tenant (venue.staff.login).
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    host_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hosts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
