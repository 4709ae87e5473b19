from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted


class TierPriceRow(Tenanted, Base):
    """Base minimum spend of a table tier, with its floor and ceiling (minor units)."""

    __tablename__ = "tier_prices"
    __table_args__ = (
        UniqueConstraint("venue_id", "tier"),
        CheckConstraint("base_minimum >= 0", name="base_positive"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    tier: Mapped[str] = mapped_column(String(40))
    base_minimum: Mapped[int]
    floor: Mapped[int | None]
    ceiling: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)


class PriceAdjustmentRow(Tenanted, Base):
    """One pricing adjustment (weekday, event type, demand, pace, last-minute)."""

    __tablename__ = "price_adjustments"

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(8))
    value: Mapped[int]
    tier: Mapped[str | None] = mapped_column(String(40))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)


class DepositRuleRow(Tenanted, Base):
    """Deposit policy for the venue (tier NULL) or one tier."""

    __tablename__ = "deposit_rules"
    __table_args__ = (UniqueConstraint("venue_id", "tier"),)

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    tier: Mapped[str | None] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(16))  # pricing.rules.DEPOSIT_MODES
    value: Mapped[int] = mapped_column(default=0)
