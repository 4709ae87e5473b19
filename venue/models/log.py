from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigIntPK, utcnow


class AuditEntry(Base):
    """Append-only: who did what to which row, with before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entity", "tenant_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class OutboxEvent(Base):
    """Transactional outbox: written with the change, relayed after commit.

    A rolled-back transaction leaves no row, so fires nothing; a crash after commit
    leaves an unpublished row that the relay picks up on restart.

    Lifecycle, as the relay (realtime/relay.py) sees it::

        pending ──published──▶ published (published_at)
           │  ▲
           │  └── retry due (next_attempt_at <= now)
           ▼
        failing (attempts, last_error, next_attempt_at) ──too many──▶ set aside (set_aside_at)
                                                                        │
        pending ◀──── staff retry (attempts 0, dates cleared) ──────────┘

    Only a failure of this event's own night (its floor cannot be computed, or that
    message cannot be sent) counts toward setting it aside; a broker outage fails the
    whole pass and counts for no event. Other consumers (mail, commissions) keep their
    own ``outbox_consumptions`` and ignore these columns.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    topic: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str | None] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    set_aside_at: Mapped[datetime | None]


class Turnaway(Base):
    """A request that found nothing bookable: demand the venue could not serve."""

    __tablename__ = "turnaways"
    __table_args__ = (Index("ix_turnaways_venue_date", "venue_id", "business_date"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    business_date: Mapped[date | None]
    party_size: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))
    # The sitting and start the party asked for (restaurants), for the turn-away report.
    sitting_name: Mapped[str | None] = mapped_column(String(60))
    starts_at: Mapped[datetime | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Appointments: the service nobody could take ("a Saturday colour").
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL")
    )
