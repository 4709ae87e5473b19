"""Reading the transactional outbox for the relay (SQL stays in venue/)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .models import OutboxEvent


async def claim(session: AsyncSession, limit: int = 500) -> list[OutboxEvent]:
    """The oldest unpublished events; on PostgreSQL rows another relay holds are skipped,
    so several relays never publish the same row twice in one pass."""
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.published_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(await session.scalars(stmt))


async def mark_published(session: AsyncSession, events: list[OutboxEvent], at: datetime) -> None:
    if events:
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_([e.id for e in events]))
            .values(published_at=at, attempts=OutboxEvent.attempts + 1)
        )
