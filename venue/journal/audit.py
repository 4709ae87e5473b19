"""Audit entries and outbox events, written in the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
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


@dataclass(frozen=True)
class Journal:
    """One write's audit entry and outbox event as plain values, for a caller that writes
    them with its own statement in the same transaction (the hold's single INSERT)."""

    tenant_id: uuid.UUID
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime
    topic: str
    channel: str | None
    payload: dict[str, Any]

    def params(self) -> dict[str, Any]:
        """Bind parameters named ``audit_*`` and ``outbox_*`` (see AUDIT_COLUMNS)."""
        return {
            "audit_actor": self.actor,
            "audit_action": self.action,
            "audit_entity": self.entity,
            "audit_entity_id": self.entity_id,
            "audit_before": self.before,
            "audit_after": self.after,
            "audit_at": self.at,
            "outbox_topic": self.topic,
            "outbox_channel": self.channel,
            "outbox_payload": self.payload,
        }

    async def insert(self, session: AsyncSession) -> None:
        """The two rows as two Core INSERTs (databases without data-modifying CTEs)."""
        await session.execute(
            insert(AuditEntry).values(
                tenant_id=self.tenant_id,
                at=self.at,
                actor=self.actor,
                action=self.action,
                entity=self.entity,
                entity_id=self.entity_id,
                before=self.before,
                after=self.after,
            )
        )
        await session.execute(
            insert(OutboxEvent).values(
                tenant_id=self.tenant_id,
                at=self.at,
                topic=self.topic,
                channel=self.channel,
                payload=self.payload,
                attempts=0,
            )
        )
