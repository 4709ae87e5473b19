"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 04:18:26.307943
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from venue.models.base import UTCDateTime
from venue.models.reservations import OCCUPYING_SQL

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenants_slug")),
    )
    op.create_table(
        "audit_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_audit_entries_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entity", ["tenant_id", "entity", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "guests",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_guests_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guests")),
    )
    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.create_index("ix_guests_tenant_email", ["tenant_id", "email"], unique=False)
        batch_op.create_index(batch_op.f("ix_guests_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_guests_tenant_phone", ["tenant_id", "phone"], unique=False)

    op.create_table(
        "hosts",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("commission_bp", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_hosts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hosts")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_hosts_tenant_id_code")),
    )
    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hosts_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "outbox_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("channel", sa.String(length=120), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_outbox_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_events_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_outbox_unpublished", ["published_at", "id"], unique=False)

    op.create_table(
        "venues",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("brand_color", sa.String(length=7), nullable=False),
        sa.Column("logo_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_venues_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venues")),
        sa.UniqueConstraint("slug", name=op.f("uq_venues_slug")),
    )
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_venues_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "deposit_rules",
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=True),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_deposit_rules_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_deposit_rules_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_rules")),
        sa.UniqueConstraint("venue_id", "tier", name=op.f("uq_deposit_rules_venue_id_tier")),
    )
    with op.batch_alter_table("deposit_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deposit_rules_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "floor_plans",
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_floor_plans_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_floor_plans_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_floor_plans")),
    )
    with op.batch_alter_table("floor_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_floor_plans_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "nights",
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("opens_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("closed_reason", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_nights_closes_after_opens")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_nights_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venues.id"], name=op.f("fk_nights_venue_id_venues"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nights")),
        sa.UniqueConstraint(
            "venue_id", "business_date", name=op.f("uq_nights_venue_id_business_date")
        ),
    )
    with op.batch_alter_table("nights", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nights_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "price_adjustments",
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=True),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_price_adjustments_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_price_adjustments_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_adjustments")),
    )
    with op.batch_alter_table("price_adjustments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_price_adjustments_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "staff_users",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("host_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_staff_users_host_id_hosts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_staff_users_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("tenant_id", "email", name=op.f("uq_staff_users_tenant_id_email")),
    )
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_users_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "tier_prices",
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("base_minimum", sa.Integer(), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=True),
        sa.Column("ceiling", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("base_minimum >= 0", name=op.f("ck_tier_prices_base_positive")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_tier_prices_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_tier_prices_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_prices")),
        sa.UniqueConstraint("venue_id", "tier", name=op.f("uq_tier_prices_venue_id_tier")),
    )
    with op.batch_alter_table("tier_prices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tier_prices_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "turnaways",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=True),
        sa.Column("party_size", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_turnaways_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_turnaways_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_turnaways")),
    )
    with op.batch_alter_table("turnaways", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_turnaways_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_turnaways_venue_date", ["venue_id", "business_date"], unique=False
        )

    op.create_table(
        "venue_rules",
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("hold_minutes", sa.Integer(), nullable=False),
        sa.Column("payment_hold_minutes", sa.Integer(), nullable=False),
        sa.Column("cutoff_minutes", sa.Integer(), nullable=False),
        sa.Column("booking_window_days", sa.Integer(), nullable=False),
        sa.Column("min_party", sa.Integer(), nullable=False),
        sa.Column("max_party", sa.Integer(), nullable=False),
        sa.Column("per_guest_daily_cap", sa.Integer(), nullable=False),
        sa.Column("price_rounding_step", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("hold_minutes > 0", name=op.f("ck_venue_rules_hold_positive")),
        sa.CheckConstraint(
            "min_party >= 1 AND max_party >= min_party", name=op.f("ck_venue_rules_party_range")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_venue_rules_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_venue_rules_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_rules")),
        sa.UniqueConstraint("venue_id", name=op.f("uq_venue_rules_venue_id")),
    )
    with op.batch_alter_table("venue_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_venue_rules_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "areas",
        sa.Column("floor_plan_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("x", sa.Integer(), nullable=False),
        sa.Column("y", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["floor_plan_id"],
            ["floor_plans.id"],
            name=op.f("fk_areas_floor_plan_id_floor_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_areas_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
    )
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_areas_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "sittings",
        sa.Column("night_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_sittings_ends_after_starts")),
        sa.ForeignKeyConstraint(
            ["night_id"],
            ["nights.id"],
            name=op.f("fk_sittings_night_id_nights"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_sittings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sittings")),
    )
    with op.batch_alter_table("sittings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sittings_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "reservations",
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("night_id", sa.Uuid(), nullable=False),
        sa.Column("sitting_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("guest_id", sa.Uuid(), nullable=True),
        sa.Column("host_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quoted_minimum", sa.Integer(), nullable=False),
        sa.Column("quoted_deposit", sa.Integer(), nullable=False),
        sa.Column("quote", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("cancel_reason", sa.String(length=300), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_reservations_ends_after_starts")),
        sa.CheckConstraint("party_size >= 1", name=op.f("ck_reservations_party_positive")),
        sa.CheckConstraint(
            "quoted_minimum >= 0 AND quoted_deposit >= 0",
            name=op.f("ck_reservations_money_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["guest_id"], ["guests.id"], name=op.f("fk_reservations_guest_id_guests")
        ),
        sa.ForeignKeyConstraint(
            ["host_id"], ["hosts.id"], name=op.f("fk_reservations_host_id_hosts")
        ),
        sa.ForeignKeyConstraint(
            ["night_id"],
            ["nights.id"],
            name=op.f("fk_reservations_night_id_nights"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sitting_id"],
            ["sittings.id"],
            name=op.f("fk_reservations_sitting_id_sittings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_reservations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_reservations_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
        sa.UniqueConstraint("id", "status", "starts_at", "ends_at", name="uq_reservations_alloc"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reservations_token_hash")),
    )
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reservations_guest_id"), ["guest_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reservations_host_id"), ["host_id"], unique=False)
        batch_op.create_index("ix_reservations_night_status", ["night_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_reservations_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "venue_tables",
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("floor_plan_id", sa.Uuid(), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("min_party", sa.Integer(), nullable=False),
        sa.Column("max_party", sa.Integer(), nullable=False),
        sa.Column("shape", sa.String(length=10), nullable=False),
        sa.Column("x", sa.Integer(), nullable=False),
        sa.Column("y", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("rotation", sa.Integer(), nullable=False),
        sa.Column("base_minimum", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "min_party >= 1 AND max_party >= min_party", name=op.f("ck_venue_tables_party_range")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_venue_tables_area_id_areas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["floor_plan_id"],
            ["floor_plans.id"],
            name=op.f("fk_venue_tables_floor_plan_id_floor_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_venue_tables_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_venue_tables_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_tables")),
        sa.UniqueConstraint(
            "floor_plan_id", "label", name=op.f("uq_venue_tables_floor_plan_id_label")
        ),
    )
    with op.batch_alter_table("venue_tables", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_venue_tables_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "reservation_tables",
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("table_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reservation_id", "status", "starts_at", "ends_at"],
            [
                "reservations.id",
                "reservations.status",
                "reservations.starts_at",
                "reservations.ends_at",
            ],
            name="fk_reservation_tables_reservation",
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["venue_tables.id"],
            name=op.f("fk_reservation_tables_table_id_venue_tables"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_reservation_tables_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation_tables")),
        sa.UniqueConstraint(
            "reservation_id", "table_id", name=op.f("uq_reservation_tables_reservation_id_table_id")
        ),
    )
    with op.batch_alter_table("reservation_tables", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reservation_tables_table_time", ["table_id", "starts_at", "ends_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reservation_tables_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "table_blocks",
        sa.Column("night_id", sa.Uuid(), nullable=False),
        sa.Column("table_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["night_id"],
            ["nights.id"],
            name=op.f("fk_table_blocks_night_id_nights"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["venue_tables.id"],
            name=op.f("fk_table_blocks_table_id_venue_tables"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_table_blocks_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_table_blocks")),
        sa.UniqueConstraint("night_id", "table_id", name=op.f("uq_table_blocks_night_id_table_id")),
    )
    with op.batch_alter_table("table_blocks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_table_blocks_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "table_links",
        sa.Column("table_a_id", sa.Uuid(), nullable=False),
        sa.Column("table_b_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["table_a_id"],
            ["venue_tables.id"],
            name=op.f("fk_table_links_table_a_id_venue_tables"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_b_id"],
            ["venue_tables.id"],
            name=op.f("fk_table_links_table_b_id_venue_tables"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_table_links_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_table_links")),
        sa.UniqueConstraint(
            "table_a_id", "table_b_id", name=op.f("uq_table_links_table_a_id_table_b_id")
        ),
    )
    with op.batch_alter_table("table_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_table_links_tenant_id"), ["tenant_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # The last wall against double booking: no two occupying allocations of one
        # table may overlap in time, whatever the application does.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE reservation_tables ADD CONSTRAINT ex_reservation_tables_no_overlap "
            "EXCLUDE USING gist (table_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            f"WHERE (status IN ({OCCUPYING_SQL}))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE reservation_tables DROP CONSTRAINT ex_reservation_tables_no_overlap"
        )
    with op.batch_alter_table("table_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_table_links_tenant_id"))

    op.drop_table("table_links")
    with op.batch_alter_table("table_blocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_table_blocks_tenant_id"))

    op.drop_table("table_blocks")
    with op.batch_alter_table("reservation_tables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reservation_tables_tenant_id"))
        batch_op.drop_index("ix_reservation_tables_table_time")

    op.drop_table("reservation_tables")
    with op.batch_alter_table("venue_tables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_venue_tables_tenant_id"))

    op.drop_table("venue_tables")
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reservations_tenant_id"))
        batch_op.drop_index("ix_reservations_night_status")
        batch_op.drop_index(batch_op.f("ix_reservations_host_id"))
        batch_op.drop_index(batch_op.f("ix_reservations_guest_id"))

    op.drop_table("reservations")
    with op.batch_alter_table("sittings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sittings_tenant_id"))

    op.drop_table("sittings")
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_areas_tenant_id"))

    op.drop_table("areas")
    with op.batch_alter_table("venue_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_venue_rules_tenant_id"))

    op.drop_table("venue_rules")
    with op.batch_alter_table("turnaways", schema=None) as batch_op:
        batch_op.drop_index("ix_turnaways_venue_date")
        batch_op.drop_index(batch_op.f("ix_turnaways_tenant_id"))

    op.drop_table("turnaways")
    with op.batch_alter_table("tier_prices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tier_prices_tenant_id"))

    op.drop_table("tier_prices")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_users_tenant_id"))

    op.drop_table("staff_users")
    with op.batch_alter_table("price_adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_price_adjustments_tenant_id"))

    op.drop_table("price_adjustments")
    with op.batch_alter_table("nights", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nights_tenant_id"))

    op.drop_table("nights")
    with op.batch_alter_table("floor_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_floor_plans_tenant_id"))

    op.drop_table("floor_plans")
    with op.batch_alter_table("deposit_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deposit_rules_tenant_id"))

    op.drop_table("deposit_rules")
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_venues_tenant_id"))

    op.drop_table("venues")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unpublished")
        batch_op.drop_index(batch_op.f("ix_outbox_events_tenant_id"))

    op.drop_table("outbox_events")
    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hosts_tenant_id"))

    op.drop_table("hosts")
    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.drop_index("ix_guests_tenant_phone")
        batch_op.drop_index(batch_op.f("ix_guests_tenant_id"))
        batch_op.drop_index("ix_guests_tenant_email")

    op.drop_table("guests")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_tenant_id"))
        batch_op.drop_index("ix_audit_entity")

    op.drop_table("audit_entries")
    op.drop_table("tenants")
