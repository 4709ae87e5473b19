"""hosts and money: commission rules and ledger, spends, attribution history, guest profiles

Revision ID: 0006
Revises: 0002

On PostgreSQL two triggers stand behind the services:

* ``commission_entries_append_only`` refuses any UPDATE or DELETE of a ledger line
  (deletes cascading from a tenant, venue or reservation removal are let through:
  they run at trigger depth > 1).
* ``reservations_host_locked`` refuses an UPDATE that changes ``reservations.host_id``
  once it is set, unless the transaction-local setting ``maitre.reassign`` is ``on``.
  Only ``venue.hosts.reassign`` sets it (``SELECT set_config('maitre.reassign', 'on',
  true)``), right before its audited UPDATE, and clears it right after; being
  transaction-local it can never leak to another request on a pooled connection.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from venue.models.base import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, col: str, ref: str, ondelete: str | None = "CASCADE") -> Any:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_{table}_{col}_{ref}"), ondelete=ondelete
    )


def _tenanted(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        _fk(table, "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _tenant_index(table: str) -> None:
    op.create_index(op.f(f"ix_{table}_tenant_id"), table, ["tenant_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "commission_rules",
        *_tenanted("commission_rules"),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("host_id", sa.Uuid(), nullable=True),
        sa.Column("tier", sa.String(length=40), nullable=True),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("value >= 0", name=op.f("ck_commission_rules_value_positive")),
        _fk("commission_rules", "venue_id", "venues"),
        _fk("commission_rules", "host_id", "hosts"),
    )
    _tenant_index("commission_rules")
    op.create_index("ix_commission_rules_venue", "commission_rules", ["venue_id", "active"])

    op.create_table(
        "commission_entries",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("host_id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("event_id", BIGINT, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("basis_amount", sa.Integer(), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        _fk("commission_entries", "tenant_id", "tenants"),
        _fk("commission_entries", "venue_id", "venues"),
        _fk("commission_entries", "host_id", "hosts"),
        _fk("commission_entries", "reservation_id", "reservations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_entries")),
        sa.UniqueConstraint("event_id", "kind", "host_id", name="uq_commission_entries_event"),
    )
    _tenant_index("commission_entries")
    op.create_index(
        "ix_commission_entries_host_at", "commission_entries", ["tenant_id", "host_id", "at"]
    )
    op.create_index("ix_commission_entries_reservation", "commission_entries", ["reservation_id"])

    op.create_table(
        "reservation_spends",
        *_tenanted("reservation_spends"),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_reservation_spends_amount_positive")),
        _fk("reservation_spends", "reservation_id", "reservations"),
        sa.UniqueConstraint("reservation_id", name=op.f("uq_reservation_spends_reservation_id")),
    )
    _tenant_index("reservation_spends")

    op.create_table(
        "host_attributions",
        *_tenanted("host_attributions"),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("from_host_id", sa.Uuid(), nullable=True),
        sa.Column("to_host_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        _fk("host_attributions", "reservation_id", "reservations"),
        _fk("host_attributions", "from_host_id", "hosts", None),
        _fk("host_attributions", "to_host_id", "hosts", None),
    )
    _tenant_index("host_attributions")
    op.create_index("ix_host_attributions_reservation", "host_attributions", ["reservation_id"])

    op.create_table(
        "guest_profiles",
        *_tenanted("guest_profiles"),
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("erased_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _fk("guest_profiles", "guest_id", "guests"),
        _fk("guest_profiles", "merged_into_id", "guests", None),
        sa.UniqueConstraint("guest_id", name=op.f("uq_guest_profiles_guest_id")),
    )
    _tenant_index("guest_profiles")

    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_TRIGGERS:
            op.execute(statement)


PG_TRIGGERS = (
    """
    CREATE FUNCTION commission_entries_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
            RETURN OLD;  -- a cascade from a removed tenant, venue or reservation
        END IF;
        RAISE EXCEPTION 'commission_ledger_append_only: % of a ledger line is refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END $$
    """,
    """
    CREATE TRIGGER commission_entries_append_only
    BEFORE UPDATE OR DELETE ON commission_entries
    FOR EACH ROW EXECUTE FUNCTION commission_entries_append_only()
    """,
    """
    CREATE FUNCTION reservations_host_locked() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.host_id IS NOT NULL AND NEW.host_id IS DISTINCT FROM OLD.host_id
           AND coalesce(current_setting('maitre.reassign', true), '') <> 'on' THEN
            RAISE EXCEPTION 'attribution_locked: reservation % belongs to host %',
                OLD.id, OLD.host_id USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER reservations_host_locked
    BEFORE UPDATE OF host_id ON reservations
    FOR EACH ROW EXECUTE FUNCTION reservations_host_locked()
    """,
)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS reservations_host_locked ON reservations")
        op.execute("DROP FUNCTION IF EXISTS reservations_host_locked()")
        op.execute("DROP TRIGGER IF EXISTS commission_entries_append_only ON commission_entries")
        op.execute("DROP FUNCTION IF EXISTS commission_entries_append_only()")
    for table in (
        "guest_profiles",
        "host_attributions",
        "reservation_spends",
        "commission_entries",
        "commission_rules",
    ):
        op.drop_table(table)
