"""waitlist: entries waiting for a table, offers that hold one, and the offer rules

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from venue.models.base import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULES = (
    ("waitlist_offer_minutes", "15"),
    ("waitlist_short_offer_minutes", "5"),
    ("waitlist_short_within_minutes", "180"),
)


def _fk(table: str, col: str, ref: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_{table}_{col}_{ref}"), ondelete=ondelete
    )


def upgrade() -> None:
    with op.batch_alter_table("venue_rules") as batch:
        for name, default in RULES:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=default))
    e = "waitlist_entries"
    op.create_table(
        e,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("night_id", sa.Uuid(), nullable=False),
        sa.Column("sitting_id", sa.Uuid(), nullable=True),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("queue_no", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("area_ids", sa.JSON(), nullable=False),
        sa.Column("latest_start", UTCDateTime(), nullable=True),
        sa.Column("notes", sa.String(500), nullable=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("party_size >= 1", name=op.f("ck_waitlist_entries_party_positive")),
        _fk(e, "tenant_id", "tenants"),
        _fk(e, "venue_id", "venues"),
        _fk(e, "night_id", "nights"),
        _fk(e, "sitting_id", "sittings"),
        _fk(e, "reservation_id", "reservations", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_waitlist_entries_token_hash")),
    )
    op.create_index(op.f("ix_waitlist_entries_tenant_id"), e, ["tenant_id"])
    op.create_index("ix_waitlist_entries_night_status", e, ["night_id", "status", "queue_no"])
    o = "waitlist_offers"
    op.create_table(
        o,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("night_id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("table_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("made_by", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        _fk(o, "tenant_id", "tenants"),
        _fk(o, "venue_id", "venues"),
        _fk(o, "entry_id", "waitlist_entries"),
        _fk(o, "night_id", "nights"),
        _fk(o, "reservation_id", "reservations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_offers")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_waitlist_offers_token_hash")),
    )
    op.create_index(op.f("ix_waitlist_offers_tenant_id"), o, ["tenant_id"])
    op.create_index(op.f("ix_waitlist_offers_entry_id"), o, ["entry_id"])
    op.create_index(op.f("ix_waitlist_offers_reservation_id"), o, ["reservation_id"])
    op.create_index(
        "uq_waitlist_offers_open_entry",
        o,
        ["entry_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_table("waitlist_offers")
    op.drop_table("waitlist_entries")
    with op.batch_alter_table("venue_rules") as batch:
        for name, _ in reversed(RULES):
            batch.drop_column(name)
