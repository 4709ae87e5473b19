"""staff emails per tenant: an index on email alone for sign-in

Revision ID: 0011_staff_email
Revises: 0002

Staff emails were meant to be unique across tenants (checked by the application; the
database already held ``uq_staff_users_tenant_id_email``). They are now unique per tenant
only, and sign-in looks an email up in every tenant, so it gets its own index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_staff_email"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_users_email"), ["email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_users_email"))
