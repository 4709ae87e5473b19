"""calendar feeds: read-only iCalendar feeds of a venue's bookings behind a secret URL

Revision ID: 0012
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from venue.models.base import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(col: str, ref: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_calendar_feeds_{col}_{ref}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("host_id", sa.Uuid(), nullable=True),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("rotated_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        _fk("tenant_id", "tenants"),
        _fk("venue_id", "venues"),
        _fk("area_id", "areas"),
        _fk("host_id", "hosts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    op.create_index(op.f("ix_calendar_feeds_tenant_id"), "calendar_feeds", ["tenant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_calendar_feeds_tenant_id"), table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
