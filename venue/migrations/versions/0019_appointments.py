"""appointments: services, staff members with hours, breaks and absences, resources, and
the appointment rows that hold a staff member's (and a resource's) time, with exclusion
constraints on PostgreSQL; the venue's slot interval; the service a turnaway wanted

Revision ID: 0019
Revises: 0020
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from venue.models.base import UTCDateTime
from venue.models.reservations import OCCUPYING_SQL

revision: str = "0019"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(
    table: str, col: str, ref: str, ondelete: str | None = "CASCADE"
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_{table}_{col}_{ref}"), ondelete=ondelete
    )


def _base(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        _fk(table, "tenant_id", "tenants"),
    ]


def _tenant_index(table: str) -> None:
    op.create_index(op.f(f"ix_{table}_tenant_id"), table, ["tenant_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "services",
        *_base("services"),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("description", sa.String(500), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("deposit", sa.Integer(), nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_after_minutes", sa.Integer(), nullable=False),
        sa.Column("resource_kind", sa.String(40), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        _fk("services", "venue_id", "venues"),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_services_duration_positive")),
        sa.CheckConstraint(
            "buffer_before_minutes >= 0 AND buffer_after_minutes >= 0",
            name=op.f("ck_services_buffers"),
        ),
        sa.CheckConstraint(
            "price >= 0 AND deposit >= 0 AND deposit <= price", name=op.f("ck_services_money")
        ),
    )
    _tenant_index("services")
    op.create_table(
        "staff_members",
        *_base("staff_members"),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("max_per_day", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("staff_members", "venue_id", "venues"),
        sa.CheckConstraint(
            "max_per_day IS NULL OR max_per_day >= 1",
            name=op.f("ck_staff_members_max_per_day_positive"),
        ),
    )
    _tenant_index("staff_members")
    op.create_table(
        "staff_services",
        *_base("staff_services"),
        sa.Column("staff_member_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        _fk("staff_services", "staff_member_id", "staff_members"),
        _fk("staff_services", "service_id", "services"),
        sa.UniqueConstraint(
            "staff_member_id",
            "service_id",
            name=op.f("uq_staff_services_staff_member_id_service_id"),
        ),
    )
    _tenant_index("staff_services")
    op.create_table(
        "staff_hours",
        *_base("staff_hours"),
        sa.Column("staff_member_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        _fk("staff_hours", "staff_member_id", "staff_members"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_staff_hours_weekday_range")),
        sa.CheckConstraint("ends > starts", name=op.f("ck_staff_hours_ends_after_starts")),
        sa.CheckConstraint("kind IN ('work', 'break')", name=op.f("ck_staff_hours_kind_known")),
    )
    _tenant_index("staff_hours")
    op.create_index(
        "ix_staff_hours_staff_weekday", "staff_hours", ["staff_member_id", "weekday"], unique=False
    )
    op.create_table(
        "staff_absences",
        *_base("staff_absences"),
        sa.Column("staff_member_id", sa.Uuid(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        _fk("staff_absences", "staff_member_id", "staff_members"),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_staff_absences_days_ordered")),
    )
    _tenant_index("staff_absences")
    op.create_index(
        op.f("ix_staff_absences_staff_member_id"),
        "staff_absences",
        ["staff_member_id"],
        unique=False,
    )
    op.create_table(
        "resources",
        *_base("resources"),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("resources", "venue_id", "venues"),
    )
    _tenant_index("resources")
    op.create_table(
        "appointments",
        *_base("appointments"),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("staff_member_id", sa.Uuid(), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("busy_from", UTCDateTime(), nullable=False),
        sa.Column("busy_until", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reservation_id", "status", "starts_at", "ends_at"],
            [
                "reservations.id",
                "reservations.status",
                "reservations.starts_at",
                "reservations.ends_at",
            ],
            name="fk_appointments_reservation",
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        _fk("appointments", "service_id", "services", None),
        _fk("appointments", "staff_member_id", "staff_members", None),
        _fk("appointments", "resource_id", "resources", None),
        sa.UniqueConstraint("reservation_id", name=op.f("uq_appointments_reservation_id")),
        sa.CheckConstraint("busy_until > busy_from", name=op.f("ck_appointments_busy_ordered")),
    )
    _tenant_index("appointments")
    op.create_index(
        "ix_appointments_staff_time",
        "appointments",
        ["staff_member_id", "busy_from", "busy_until"],
        unique=False,
    )
    with op.batch_alter_table("venue_rules") as batch:
        batch.add_column(
            sa.Column("slot_interval_minutes", sa.Integer(), nullable=False, server_default="15")
        )
        batch.create_check_constraint("slot_interval_positive", "slot_interval_minutes > 0")
    with op.batch_alter_table("turnaways") as batch:
        batch.add_column(sa.Column("service_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_turnaways_service_id_services"),
            "services",
            ["service_id"],
            ["id"],
            ondelete="SET NULL",
        )
    if op.get_bind().dialect.name == "postgresql":
        # The last wall against a double-booked person or chair, buffers included.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_staff_no_overlap "
            "EXCLUDE USING gist (staff_member_id WITH =, "
            "tstzrange(busy_from, busy_until, '[)') WITH &&) "
            f"WHERE (status IN ({OCCUPYING_SQL}))"
        )
        op.execute(
            "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_resource_no_overlap "
            "EXCLUDE USING gist (resource_id WITH =, "
            "tstzrange(busy_from, busy_until, '[)') WITH &&) "
            f"WHERE (resource_id IS NOT NULL AND status IN ({OCCUPYING_SQL}))"
        )


def downgrade() -> None:
    with op.batch_alter_table("turnaways") as batch:
        batch.drop_constraint(op.f("fk_turnaways_service_id_services"), type_="foreignkey")
        batch.drop_column("service_id")
    with op.batch_alter_table("venue_rules") as batch:
        batch.drop_constraint("slot_interval_positive", type_="check")
        batch.drop_column("slot_interval_minutes")
    for table in (
        "appointments",
        "resources",
        "staff_absences",
        "staff_hours",
        "staff_services",
        "staff_members",
        "services",
    ):
        op.drop_table(table)
