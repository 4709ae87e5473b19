"""mail templates: a venue's own subject and text around the details of each guest
email, per language

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from venue.models.base import UTCDateTime

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(col: str, ref: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_mail_templates_{col}_{ref}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "mail_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("intro", sa.Text(), nullable=True),
        sa.Column("outro", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("failed_at", UTCDateTime(), nullable=True),
        sa.Column("last_failure", sa.String(length=500), nullable=True),
        _fk("tenant_id", "tenants"),
        _fk("venue_id", "venues"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_templates")),
        sa.UniqueConstraint(
            "venue_id", "kind", "language", name=op.f("uq_mail_templates_venue_id_kind_language")
        ),
    )
    op.create_index(op.f("ix_mail_templates_tenant_id"), "mail_templates", ["tenant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_mail_templates_tenant_id"), table_name="mail_templates")
    op.drop_table("mail_templates")
