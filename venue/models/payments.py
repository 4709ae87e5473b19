"""Deposits: Checkout attempts, payments, refunds, the refund policy and the webhook inbox.

Money is integer minor units with its ISO currency. A reservation that needs a deposit
gets one ``CheckoutAttempt`` per Stripe Checkout Session (the attempt row is written
before Stripe is called, so its idempotency key survives a crash); a ``Payment`` is the
money Stripe says is in (one per Checkout Session, unique); each ``Refund`` is written
``pending`` with its idempotency key before Stripe is asked, then updated from Stripe's
answer or the ``charge.refunded`` webhook.

Attempt states::

    creating --(Stripe answered)--> open --(completed, paid)--> complete
        |                             |--(completed, unpaid)--> processing --> complete | failed
        \\--(Stripe never answered; retried with the same key)   \\--(expired)--> expired
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted, utcnow


class CheckoutAttempt(Tenanted, Base):
    __tablename__ = "checkout_attempts"
    __table_args__ = (
        UniqueConstraint("reservation_id", "attempt"),
        UniqueConstraint("session_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int]
    idempotency_key: Mapped[str] = mapped_column(String(160))
    session_id: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="creating")
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Payment(Tenanted, Base):
    """Money received for a reservation (``outcome`` says what it bought)."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("checkout_session_id"),
        CheckConstraint("amount >= 0", name="amount_positive"),
    )

    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    checkout_session_id: Mapped[str] = mapped_column(String(255))
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    # confirmed | reseated (late, table still free) | refunded (late, table gone,
    # reservation cancelled meanwhile, or paid twice)
    outcome: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Refund(Tenanted, Base):
    __tablename__ = "refunds"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        UniqueConstraint("stripe_refund_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    payment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("payments.id", ondelete="CASCADE"), index=True
    )
    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    # policy | late_payment | cancelled_meanwhile | duplicate_payment | staff_override | external
    reason: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(300))
    # pending (not yet accepted by Stripe) | succeeded | failed | canceled | requires_action
    status: Mapped[str] = mapped_column(String(16), default="pending")
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255))
    idempotency_key: Mapped[str] = mapped_column(String(160))
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RefundRule(Tenanted, Base):
    """Cancelling at least ``hours_before_start`` hours (on the venue's wall clock) before
    the reservation starts refunds ``refund_bp`` basis points of the deposit; the best
    matching rule wins, and none matching refunds nothing."""

    __tablename__ = "refund_rules"
    __table_args__ = (
        UniqueConstraint("venue_id", "hours_before_start"),
        CheckConstraint("hours_before_start >= 0", name="hours_positive"),
        CheckConstraint("refund_bp >= 0 AND refund_bp <= 10000", name="bp_range"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    hours_before_start: Mapped[int]
    refund_bp: Mapped[int]


class StripeEvent(Base):
    """Webhook inbox: every verified event once by its id; ``processed_at`` is set in the
    same transaction that applies it, so an event takes effect exactly once."""

    __tablename__ = "stripe_events"
    __table_args__ = (Index("ix_stripe_events_unprocessed", "processed_at", "received_at"),)

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
