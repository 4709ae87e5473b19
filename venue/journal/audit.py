"""Audit entries and outbox events, written in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from venue.models import AuditEntry, OutboxEvent


def record(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    actor: str,
    action: str,
    entity: str,
    entity_id: uuid.UUID | str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime,
    topic: str | None = None,
    channel: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Append the audit entry for a write and, for a state change, its outbox event."""
    session.add(
        AuditEntry(
            tenant_id=tenant_id,
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before,
            after=after,
        )
    )
    if topic is not None:
        emit(
            session,
            tenant_id=tenant_id,
            topic=topic,
            channel=channel,
            payload=payload if payload is not None else (after or {}),
            at=at,
        )


def emit(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    topic: str,
    channel: str | None,
    payload: dict[str, Any],
    at: datetime,
) -> None:
    """Append an outbox event alone: for a system consumer whose own rows are already the
    record of what it did (the append-only commission ledger), so no audit entry."""
    session.add(
        OutboxEvent(tenant_id=tenant_id, at=at, topic=topic, channel=channel, payload=payload)
    )
