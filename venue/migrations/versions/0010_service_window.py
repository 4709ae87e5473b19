"""service window: staff seat, complete and mark no-shows from this long before the sitting

Revision ID: 0010
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("venue_rules") as batch:
        batch.add_column(
            sa.Column("service_opens_minutes", sa.Integer(), nullable=False, server_default="120")
        )


def downgrade() -> None:
    with op.batch_alter_table("venue_rules") as batch:
        batch.drop_column("service_opens_minutes")
