"""the guest's language, kept on the reservation and the waitlist entry

Chosen on the page, else from Accept-Language, else the venue's default
(notification_settings.language); reminders and offers are written in it.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("reservations", "waitlist_entries"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    for table in ("reservations", "waitlist_entries"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("language")
