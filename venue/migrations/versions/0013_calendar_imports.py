"""calendar imports: busy events of an external calendar block tables, with their source

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from venue.models.base import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(col: str, ref: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_calendar_imports_{col}_{ref}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "calendar_imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("table_ids", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_synced_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        _fk("tenant_id", "tenants"),
        _fk("venue_id", "venues"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_imports")),
    )
    op.create_index(op.f("ix_calendar_imports_tenant_id"), "calendar_imports", ["tenant_id"])
    with op.batch_alter_table("table_blocks") as batch:
        batch.add_column(sa.Column("source_import_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("source_uid", sa.String(length=255), nullable=True))
        batch.create_foreign_key(
            op.f("fk_table_blocks_source_import_id_calendar_imports"),
            "calendar_imports",
            ["source_import_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("table_blocks") as batch:
        batch.drop_constraint(
            op.f("fk_table_blocks_source_import_id_calendar_imports"), type_="foreignkey"
        )
        batch.drop_column("source_uid")
        batch.drop_column("source_import_id")
    op.drop_index(op.f("ix_calendar_imports_tenant_id"), table_name="calendar_imports")
    op.drop_table("calendar_imports")
