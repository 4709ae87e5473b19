"""standing reservations: a series (its recurrence rule as data) and its occurrences

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from venue.models.base import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(col: str, ref: str, ondelete: str | None = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_reservation_series_{col}_{ref}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "reservation_series",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("host_id", sa.Uuid(), nullable=True),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("table_ids", sa.JSON(), nullable=False),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("freq", sa.String(length=16), nullable=False),
        sa.Column("every_n", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("nth", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ended_from", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("unbooked", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "freq IN ('weekly', 'monthly')", name=op.f("ck_reservation_series_freq_known")
        ),
        sa.CheckConstraint(
            "every_n >= 1 AND every_n <= 4", name=op.f("ck_reservation_series_every_n_range")
        ),
        sa.CheckConstraint(
            "weekday >= 0 AND weekday <= 6", name=op.f("ck_reservation_series_weekday_range")
        ),
        sa.CheckConstraint(
            "(occurrences IS NULL) <> (until IS NULL)",
            name=op.f("ck_reservation_series_occurrences_or_until"),
        ),
        sa.CheckConstraint("party_size >= 1", name=op.f("ck_reservation_series_party_positive")),
        sa.CheckConstraint(
            "status IN ('active', 'cancelled')", name=op.f("ck_reservation_series_status_known")
        ),
        _fk("tenant_id", "tenants"),
        _fk("venue_id", "venues"),
        _fk("guest_id", "guests", None),
        _fk("host_id", "hosts", None),
        _fk("area_id", "areas", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation_series")),
    )
    op.create_index(op.f("ix_reservation_series_tenant_id"), "reservation_series", ["tenant_id"])
    op.create_index(op.f("ix_reservation_series_host_id"), "reservation_series", ["host_id"])
    with op.batch_alter_table("reservations") as batch:
        batch.add_column(sa.Column("series_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("series_date", sa.Date(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reservations_series_id_reservation_series"),
            "reservation_series",
            ["series_id"],
            ["id"],
        )
        batch.create_index(op.f("ix_reservations_series_id"), ["series_id"])


def downgrade() -> None:
    with op.batch_alter_table("reservations") as batch:
        batch.drop_index(op.f("ix_reservations_series_id"))
        batch.drop_constraint(
            op.f("fk_reservations_series_id_reservation_series"), type_="foreignkey"
        )
        batch.drop_column("series_date")
        batch.drop_column("series_id")
    op.drop_index(op.f("ix_reservation_series_host_id"), table_name="reservation_series")
    op.drop_index(op.f("ix_reservation_series_tenant_id"), table_name="reservation_series")
    op.drop_table("reservation_series")
