"""payments: checkout attempts, payments, refunds, refund rules, webhook inbox

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from venue.models.base import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenanted() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
    ]


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
    )


def _reservation_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["reservation_id"],
        ["reservations.id"],
        name=f"fk_{table}_reservation_id_reservations",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "checkout_attempts",
        *_tenanted(),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("session_id", sa.String(length=255), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name="ck_checkout_attempts_amount_positive"),
        _tenant_fk("checkout_attempts"),
        _reservation_fk("checkout_attempts"),
        sa.PrimaryKeyConstraint("id", name="pk_checkout_attempts"),
        sa.UniqueConstraint(
            "reservation_id", "attempt", name="uq_checkout_attempts_reservation_id_attempt"
        ),
        sa.UniqueConstraint("session_id", name="uq_checkout_attempts_session_id"),
    )
    op.create_index("ix_checkout_attempts_tenant_id", "checkout_attempts", ["tenant_id"])
    op.create_index("ix_checkout_attempts_reservation_id", "checkout_attempts", ["reservation_id"])

    op.create_table(
        "payments",
        *_tenanted(),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("checkout_session_id", sa.String(length=255), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount >= 0", name="ck_payments_amount_positive"),
        _tenant_fk("payments"),
        _reservation_fk("payments"),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.UniqueConstraint("checkout_session_id", name="uq_payments_checkout_session_id"),
    )
    op.create_index("ix_payments_tenant_id", "payments", ["tenant_id"])
    op.create_index("ix_payments_reservation_id", "payments", ["reservation_id"])
    op.create_index("ix_payments_payment_intent_id", "payments", ["payment_intent_id"])

    op.create_table(
        "refunds",
        *_tenanted(),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stripe_refund_id", sa.String(length=255), nullable=True),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name="ck_refunds_amount_positive"),
        _tenant_fk("refunds"),
        _reservation_fk("refunds"),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name="fk_refunds_payment_id_payments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_refunds"),
        sa.UniqueConstraint("idempotency_key", name="uq_refunds_idempotency_key"),
        sa.UniqueConstraint("stripe_refund_id", name="uq_refunds_stripe_refund_id"),
    )
    op.create_index("ix_refunds_tenant_id", "refunds", ["tenant_id"])
    op.create_index("ix_refunds_payment_id", "refunds", ["payment_id"])
    op.create_index("ix_refunds_reservation_id", "refunds", ["reservation_id"])

    op.create_table(
        "refund_rules",
        *_tenanted(),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("hours_before_start", sa.Integer(), nullable=False),
        sa.Column("refund_bp", sa.Integer(), nullable=False),
        sa.CheckConstraint("hours_before_start >= 0", name="ck_refund_rules_hours_positive"),
        sa.CheckConstraint(
            "refund_bp >= 0 AND refund_bp <= 10000", name="ck_refund_rules_bp_range"
        ),
        _tenant_fk("refund_rules"),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venues.id"], name="fk_refund_rules_venue_id_venues", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_refund_rules"),
        sa.UniqueConstraint(
            "venue_id", "hours_before_start", name="uq_refund_rules_venue_id_hours_before_start"
        ),
    )
    op.create_index("ix_refund_rules_tenant_id", "refund_rules", ["tenant_id"])

    op.create_table(
        "stripe_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_stripe_events"),
    )
    op.create_index(
        "ix_stripe_events_unprocessed", "stripe_events", ["processed_at", "received_at"]
    )


def downgrade() -> None:
    op.drop_table("stripe_events")
    op.drop_table("refund_rules")
    op.drop_table("refunds")
    op.drop_table("payments")
    op.drop_table("checkout_attempts")
