"""venue brands: colours, font, corners and logo of the guest pages; public address and
the sites allowed to embed them

Revision ID: 0020
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from venue.models.base import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(col: str, ref: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_venue_brands_{col}_{ref}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    colour = sa.String(length=7)
    op.create_table(
        "venue_brands",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("base", sa.String(length=8), nullable=False),
        sa.Column("background", colour, nullable=False),
        sa.Column("surface", colour, nullable=False),
        sa.Column("text", colour, nullable=False),
        sa.Column("accent", colour, nullable=False),
        sa.Column("free", colour, nullable=False),
        sa.Column("held", colour, nullable=False),
        sa.Column("booked", colour, nullable=False),
        sa.Column("blocked", colour, nullable=False),
        sa.Column("font", sa.String(length=20), nullable=False),
        sa.Column("corners", sa.String(length=8), nullable=False),
        sa.Column("logo_url", sa.String(length=500), nullable=True),
        sa.Column("logo_data", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=40), nullable=True),
        sa.Column("font_data", sa.LargeBinary(), nullable=True),
        sa.Column("font_type", sa.String(length=20), nullable=True),
        sa.Column("public_url", sa.String(length=500), nullable=True),
        sa.Column("embed_origins", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _fk("tenant_id", "tenants"),
        _fk("venue_id", "venues"),
        sa.CheckConstraint("base IN ('dark', 'light')", name=op.f("ck_venue_brands_base_known")),
        sa.CheckConstraint(
            "corners IN ('square', 'soft', 'round')", name=op.f("ck_venue_brands_corners_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_brands")),
        sa.UniqueConstraint("venue_id", name=op.f("uq_venue_brands_venue_id")),
    )
    op.create_index(op.f("ix_venue_brands_tenant_id"), "venue_brands", ["tenant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_venue_brands_tenant_id"), table_name="venue_brands")
    op.drop_table("venue_brands")
