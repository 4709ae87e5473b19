"""restaurant mode: service periods and turn times as rows, a sitting's covers, pacing
and start times, tables classed online / in-house / walk-in, turnaways with the sitting

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from venue.models.base import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, col: str, ref: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_{table}_{col}_{ref}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "service_periods",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("first_start", sa.Time(), nullable=False),
        sa.Column("last_start", sa.Time(), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("covers_limit", sa.Integer(), nullable=False),
        sa.Column("pacing_covers", sa.Integer(), nullable=True),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "weekday IS NOT NULL OR on_date IS NOT NULL", name=op.f("ck_service_periods_when_given")
        ),
        sa.CheckConstraint(
            "weekday IS NULL OR (weekday >= 0 AND weekday <= 6)",
            name=op.f("ck_service_periods_weekday"),
        ),
        sa.CheckConstraint(
            "interval_minutes >= 5", name=op.f("ck_service_periods_interval_positive")
        ),
        sa.CheckConstraint("covers_limit >= 0", name=op.f("ck_service_periods_covers_positive")),
        sa.CheckConstraint(
            "pacing_covers IS NULL OR pacing_covers >= 1",
            name=op.f("ck_service_periods_pacing_positive"),
        ),
        _fk("service_periods", "tenant_id", "tenants"),
        _fk("service_periods", "venue_id", "venues"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_periods")),
    )
    op.create_index(op.f("ix_service_periods_tenant_id"), "service_periods", ["tenant_id"])
    op.create_table(
        "turn_times",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("min_party", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("min_party >= 1", name=op.f("ck_turn_times_party_positive")),
        sa.CheckConstraint("minutes >= 15", name=op.f("ck_turn_times_minutes_positive")),
        _fk("turn_times", "tenant_id", "tenants"),
        _fk("turn_times", "venue_id", "venues"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_turn_times")),
        sa.UniqueConstraint("venue_id", "min_party", name=op.f("uq_turn_times_venue_id_min_party")),
    )
    op.create_index(op.f("ix_turn_times_tenant_id"), "turn_times", ["tenant_id"])
    with op.batch_alter_table("venue_tables") as batch:
        batch.add_column(
            sa.Column("booking_class", sa.String(16), nullable=False, server_default="online")
        )
        batch.create_check_constraint(
            "booking_class_known", "booking_class IN ('online', 'in_house', 'walk_in')"
        )
    with op.batch_alter_table("sittings") as batch:
        batch.add_column(sa.Column("covers_limit", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pacing_covers", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("interval_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_start_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("venue_rules") as batch:
        batch.add_column(
            sa.Column(
                "guests_choose_tables", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("turnaways") as batch:
        batch.add_column(sa.Column("sitting_name", sa.String(60), nullable=True))
        batch.add_column(sa.Column("starts_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("turnaways") as batch:
        batch.drop_column("starts_at")
        batch.drop_column("sitting_name")
    with op.batch_alter_table("venue_rules") as batch:
        batch.drop_column("guests_choose_tables")
    with op.batch_alter_table("sittings") as batch:
        for col in ("last_start_at", "interval_minutes", "pacing_covers", "covers_limit"):
            batch.drop_column(col)
    with op.batch_alter_table("venue_tables") as batch:
        batch.drop_constraint("booking_class_known", type_="check")
        batch.drop_column("booking_class")
    op.drop_index(op.f("ix_turn_times_tenant_id"), table_name="turn_times")
    op.drop_table("turn_times")
    op.drop_index(op.f("ix_service_periods_tenant_id"), table_name="service_periods")
    op.drop_table("service_periods")
