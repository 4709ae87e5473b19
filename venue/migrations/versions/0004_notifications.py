"""notifications: delivery queue, outbox consumptions, guest links, local mail

Revision ID: 0004
Revises: 0002
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from venue.models.base import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _tenanted(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f(f"fk_{table}_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _venue_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["venue_id"], ["venues.id"], name=op.f(f"fk_{table}_venue_id_venues"), ondelete="CASCADE"
    )


def upgrade() -> None:
    with op.batch_alter_table("venue_rules") as batch:
        batch.add_column(
            sa.Column("cancel_cutoff_minutes", sa.Integer(), nullable=False, server_default="120")
        )
    op.create_index("ix_outbox_events_at", "outbox_events", ["at"])
    op.create_table(
        "outbox_consumptions",
        sa.Column("consumer", sa.String(length=40), nullable=False),
        sa.Column("event_id", EVENT_ID, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox_events.id"],
            name=op.f("fk_outbox_consumptions_event_id_outbox_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_outbox_consumptions")),
    )
    op.create_table(
        "notifications",
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("audience", sa.String(length=8), nullable=False),
        sa.Column("to_addr", sa.String(length=254), nullable=False),
        sa.Column("reply_to", sa.String(length=254), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.Uuid(), nullable=True),
        sa.Column("leased_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        *_tenanted("notifications"),
        _venue_fk("notifications"),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_notifications_reservation_id_reservations"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    op.create_index("ix_notifications_status_due", "notifications", ["status", "due_at"])
    op.create_index("ix_notifications_reservation", "notifications", ["reservation_id"])
    op.create_index(op.f("ix_notifications_tenant_id"), "notifications", ["tenant_id"])
    op.create_table(
        "notification_settings",
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("reminder_minutes", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        *_tenanted("notification_settings"),
        _venue_fk("notification_settings"),
        sa.UniqueConstraint("venue_id", name=op.f("uq_notification_settings_venue_id")),
    )
    op.create_index(
        op.f("ix_notification_settings_tenant_id"), "notification_settings", ["tenant_id"]
    )
    op.create_table(
        "reservation_links",
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        *_tenanted("reservation_links"),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_reservation_links_reservation_id_reservations"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reservation_links_token_hash")),
    )
    op.create_index(op.f("ix_reservation_links_tenant_id"), "reservation_links", ["tenant_id"])
    op.create_index(
        op.f("ix_reservation_links_reservation_id"), "reservation_links", ["reservation_id"]
    )
    op.create_table(
        "local_mail",
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("notification_id", sa.Uuid(), nullable=False),
        sa.Column("to_addr", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        *_tenanted("local_mail"),
        _venue_fk("local_mail"),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_local_mail_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("notification_id", name=op.f("uq_local_mail_notification_id")),
    )
    op.create_index(op.f("ix_local_mail_tenant_id"), "local_mail", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("local_mail")
    op.drop_table("reservation_links")
    op.drop_table("notification_settings")
    op.drop_table("notifications")
    op.drop_table("outbox_consumptions")
    op.drop_index("ix_outbox_events_at", table_name="outbox_events")
    with op.batch_alter_table("venue_rules") as batch:
        batch.drop_column("cancel_cutoff_minutes")
