"""outbox notify: a commit that wrote outbox events wakes the one relay of the deployment

A statement-level trigger on ``outbox_events`` calls ``pg_notify('maitre_outbox', '')``.
PostgreSQL delivers notifications only when the transaction commits (and folds identical
ones of a transaction into one), so the relay (realtime/leader.py, LISTEN on that channel)
hears of every committed batch of events from any process, and never of an uncommitted
one. SQLite has no NOTIFY: there the relay runs in the one process and is woken directly.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION maitre_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('maitre_outbox', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION maitre_outbox_notify()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS outbox_events_notify ON outbox_events")
    op.execute("DROP FUNCTION IF EXISTS maitre_outbox_notify()")
