"""Reading and marking the transactional outbox for the relay, and the staff view of the
events it had to set aside (SQL stays in venue/). The lifecycle is on ``OutboxEvent``."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.channels import night_of
from venue.core.errors import NotFound
from venue.journal.audit import record
from venue.models import Night, OutboxEvent, Venue

ERROR_LENGTH = 1000


async def take_turn(session: AsyncSession, consumer: str) -> bool:
    """Whether this transaction may consume the outbox as ``consumer`` now.

    One process at a time per consumer, by a transaction-scoped advisory lock on
    PostgreSQL: the others skip their pass instead of queueing on the same consumption
    rows (five processes consuming at once deadlocked there in bench/scaleout.py), and
    the holder's commit releases it. Each event is still consumed exactly once by its
    ``outbox_consumptions`` row. SQLite serves one process: always True."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    digest = hashlib.sha256(f"maitre:outbox-consumer:{consumer}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    turn = await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key})
    return bool(turn)


async def claim(session: AsyncSession, now: datetime, limit: int = 500) -> list[OutboxEvent]:
    """The oldest unpublished events that are due (not waiting out a backoff, not set
    aside); on PostgreSQL rows another relay holds are skipped, so several relays never
    publish the same row twice in one pass."""
    stmt = (
        select(OutboxEvent)
        .where(
            OutboxEvent.published_at.is_(None),
            OutboxEvent.set_aside_at.is_(None),
            or_(OutboxEvent.next_attempt_at.is_(None), OutboxEvent.next_attempt_at <= now),
        )
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(await session.scalars(stmt))


async def parked_count(session: AsyncSession) -> int:
    """Events set aside (waiting for staff to retry them), across tenants, for the metric."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.set_aside_at.is_not(None), OutboxEvent.published_at.is_(None))
        )
        or 0
    )


async def mark_published(session: AsyncSession, events: list[OutboxEvent], at: datetime) -> None:
    if events:
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_([e.id for e in events]))
            .values(published_at=at, attempts=OutboxEvent.attempts + 1)
        )


async def defer(
    session: AsyncSession, events: list[OutboxEvent], error: str, retry_at: datetime
) -> None:
    """A failed attempt: try these events again from ``retry_at``."""
    await _failed(session, events, error, next_attempt_at=retry_at, set_aside_at=None)


async def set_aside(
    session: AsyncSession, events: list[OutboxEvent], error: str, at: datetime
) -> None:
    """The last failed attempt: stop trying until staff retry them."""
    await _failed(session, events, error, next_attempt_at=None, set_aside_at=at)


async def _failed(
    session: AsyncSession,
    events: list[OutboxEvent],
    error: str,
    *,
    next_attempt_at: datetime | None,
    set_aside_at: datetime | None,
) -> None:
    if events:
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_([e.id for e in events]))
            .values(
                attempts=OutboxEvent.attempts + 1,
                last_error=error[:ERROR_LENGTH],
                next_attempt_at=next_attempt_at,
                set_aside_at=set_aside_at,
            )
        )


async def set_aside_of(
    session: AsyncSession, tenant_id: uuid.UUID, limit: int = 200
) -> list[dict[str, Any]]:
    """The tenant's set-aside events, newest first, with the venue and night they name."""
    events = list(
        await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.tenant_id == tenant_id, OutboxEvent.set_aside_at.is_not(None))
            .order_by(OutboxEvent.id.desc())
            .limit(limit)
        )
    )
    nights = {nid for e in events if (nid := night_of(e.channel)) is not None}
    where: dict[uuid.UUID, tuple[str, str]] = {}
    if nights:
        rows = await session.execute(
            select(Night.id, Night.business_date, Venue.slug)
            .join(Venue, Venue.id == Night.venue_id)
            .where(Night.tenant_id == tenant_id, Night.id.in_(nights))
        )
        where = {nid: (day.isoformat(), slug) for nid, day, slug in rows}
    return [
        _event_dict(e, where.get(nid) if (nid := night_of(e.channel)) else None) for e in events
    ]


async def retry(
    session: AsyncSession, tenant_id: uuid.UUID, event_id: int, actor: Actor, now: datetime
) -> dict[str, Any]:
    """Put a set-aside event back in the queue with a fresh set of attempts (audited)."""
    event = await session.scalar(
        select(OutboxEvent).where(
            OutboxEvent.tenant_id == tenant_id,
            OutboxEvent.id == event_id,
            OutboxEvent.set_aside_at.is_not(None),
        )
    )
    if event is None:
        raise NotFound("no set-aside event with that id")
    before = _event_dict(event, None)
    event.set_aside_at = None
    event.next_attempt_at = None
    event.attempts = 0
    await session.flush()
    record(
        session,
        tenant_id=tenant_id,
        actor=str(actor),
        action="outbox.retried",
        entity="outbox_event",
        entity_id=str(event.id),
        before=before,
        after=_event_dict(event, None),
        at=now,
    )
    return _event_dict(event, None)


def _event_dict(event: OutboxEvent, where: tuple[str, str] | None) -> dict[str, Any]:
    return {
        "id": event.id,
        "topic": event.topic,
        "channel": event.channel,
        "at": event.at.isoformat(),
        "attempts": event.attempts,
        "last_error": event.last_error,
        "set_aside_at": event.set_aside_at.isoformat() if event.set_aside_at else None,
        "date": where[0] if where else None,
        "venue": where[1] if where else None,
    }
