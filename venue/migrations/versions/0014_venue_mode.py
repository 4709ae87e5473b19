"""venue mode: how guests book a venue (club: a table on the floor map; restaurant: a
party at a sitting, seated by the venue; appointments: a service with a staff member)

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("venues") as batch:
        batch.add_column(sa.Column("mode", sa.String(16), nullable=False, server_default="club"))
        batch.create_check_constraint(
            "mode_known", "mode IN ('club', 'restaurant', 'appointments')"
        )


def downgrade() -> None:
    with op.batch_alter_table("venues") as batch:
        batch.drop_constraint("mode_known", type_="check")
        batch.drop_column("mode")
