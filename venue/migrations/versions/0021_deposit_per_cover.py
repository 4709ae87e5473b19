"""deposit per cover: deposit_rules.mode widened so it holds ``per_cover``

Revision ID: 0021
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deposit_rules", schema=None) as batch_op:
        batch_op.alter_column("mode", existing_type=sa.String(length=8), type_=sa.String(length=16))


def downgrade() -> None:
    op.execute("UPDATE deposit_rules SET mode = 'none', value = 0 WHERE mode = 'per_cover'")
    with op.batch_alter_table("deposit_rules", schema=None) as batch_op:
        batch_op.alter_column("mode", existing_type=sa.String(length=16), type_=sa.String(length=8))
