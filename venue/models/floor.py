from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted


class FloorPlan(Tenanted, Base):
    __tablename__ = "floor_plans"

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    width: Mapped[int] = mapped_column(default=1000)
    height: Mapped[int] = mapped_column(default=700)
    is_active: Mapped[bool] = mapped_column(default=True)


class Area(Tenanted, Base):
    __tablename__ = "areas"

    floor_plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("floor_plans.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(120))
    x: Mapped[int] = mapped_column(default=0)
    y: Mapped[int] = mapped_column(default=0)
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)


class VenueTable(Tenanted, Base):
    """A bookable table on a floor plan.

    ``version`` is the optimistic lock of the booking transaction: every path that
    takes this table claims it through venue/claim.py, which bumps it with ``WHERE
    version = :seen`` and so serialises the check-then-write of competing claims on the
    same table and nothing else.
    """

    __tablename__ = "venue_tables"
    __table_args__ = (
        UniqueConstraint("floor_plan_id", "label"),
        CheckConstraint("min_party >= 1 AND max_party >= min_party", name="party_range"),
        CheckConstraint(
            "booking_class IN ('online', 'in_house', 'walk_in')", name="booking_class_known"
        ),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    floor_plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("floor_plans.id", ondelete="CASCADE")
    )
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    label: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str] = mapped_column(String(40))
    min_party: Mapped[int] = mapped_column(default=1)
    max_party: Mapped[int] = mapped_column(default=4)
    shape: Mapped[str] = mapped_column(String(10), default="round")
    x: Mapped[int] = mapped_column(default=0)
    y: Mapped[int] = mapped_column(default=0)
    width: Mapped[int] = mapped_column(default=60)
    height: Mapped[int] = mapped_column(default=60)
    rotation: Mapped[int] = mapped_column(default=0)
    # Replaces the tier's base minimum for this one table when set (minor units).
    base_minimum: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    # Who may be seated here (venue/models/dining.py BOOKING_CLASSES): restaurants keep
    # tables back for staff bookings or walk-ins.
    booking_class: Mapped[str] = mapped_column(
        String(16), default="online", server_default="online"
    )
    version: Mapped[int] = mapped_column(default=1)


class TableLink(Tenanted, Base):
    """Two tables that may be joined for a large party (stored once per pair, a < b)."""

    __tablename__ = "table_links"
    __table_args__ = (UniqueConstraint("table_a_id", "table_b_id"),)

    table_a_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venue_tables.id", ondelete="CASCADE"))
    table_b_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venue_tables.id", ondelete="CASCADE"))
