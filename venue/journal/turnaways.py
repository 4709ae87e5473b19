"""Turned-away demand: every request that found nothing bookable, with its reason.

A refused request rolls back, but its turnaway is kept: ``record_after_refusal`` writes
it in a small transaction of its own after the refused work is rolled back."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.models import Turnaway

log = logging.getLogger("maitre.turnaways")
_TABLE: Table = Turnaway.__table__  # type: ignore[assignment]


def record_turnaway(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    venue_id: uuid.UUID,
    *,
    reason: str,
    business_date: date | None,
    party_size: int | None,
    channel: str,
    at: datetime,
    sitting_name: str | None = None,
    starts_at: datetime | None = None,
    service_id: uuid.UUID | None = None,
) -> None:
    session.add(
        Turnaway(
            sitting_name=sitting_name,
            starts_at=starts_at,
            service_id=service_id,
            tenant_id=tenant_id,
            venue_id=venue_id,
            business_date=business_date,
            party_size=party_size,
            reason=reason,
            channel=channel,
            at=at,
        )
    )


async def record_after_refusal(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    venue_id: uuid.UUID,
    *,
    wrote: bool,
    reason: str,
    business_date: date | None,
    party_size: int | None,
    channel: str,
    at: datetime,
    sitting_name: str | None = None,
    starts_at: datetime | None = None,
    service_id: uuid.UUID | None = None,
) -> None:
    """Keep a refusal as demand data and commit it alone. If the refused work wrote
    anything it is rolled back first; a refusal before any write keeps its transaction
    (and its connection: the losers of a hot table are many) for the turnaway. Pass ids,
    not ORM objects: the rollback expires them."""
    if wrote:
        await session.rollback()
    record_turnaway(
        session,
        tenant_id,
        venue_id,
        reason=reason,
        business_date=business_date,
        party_size=party_size,
        channel=channel,
        at=at,
        sitting_name=sitting_name,
        starts_at=starts_at,
        service_id=service_id,
    )
    await session.commit()


class Batched:
    """Turnaways of refusals answered without the database (a claim marker already said
    the table is taken): queued in memory and written by one background task in one
    multi-row INSERT per batch, moments after the answer. Losing a batch to a crash loses
    demand statistics only; nothing a guest or the floor depends on. At most ``limit``
    rows wait; beyond that they are dropped and counted (``dropped``)."""

    # Seconds a batch waits for more rows before its INSERT. Zero: the rows of one turn of
    # the event loop go together, and rows that arrive while a batch is being written form
    # the next one, so a burst batches itself without delaying the data (the public API's
    # tests read a refusal's turnaway right after the next request).
    WINDOW = 0.0

    def __init__(self, sessions: async_sessionmaker[AsyncSession], limit: int = 50_000) -> None:
        self._sessions = sessions
        self._rows: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None
        self._limit = limit
        self.dropped = 0

    def add(
        self,
        tenant_id: uuid.UUID,
        venue_id: uuid.UUID,
        *,
        reason: str,
        business_date: date | None,
        party_size: int | None,
        channel: str,
        at: datetime,
    ) -> None:
        if len(self._rows) >= self._limit:
            self.dropped += 1
            return
        self._rows.append(
            {
                "tenant_id": tenant_id,
                "venue_id": venue_id,
                "reason": reason,
                "business_date": business_date,
                "party_size": party_size,
                "channel": channel,
                "at": at,
            }
        )
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write())

    async def drain(self) -> None:
        """Write what is queued (at shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.wait([self._task])
        if self._rows:
            await self._write()

    async def _write(self) -> None:
        await asyncio.sleep(self.WINDOW)  # let the rest of a burst join this batch
        while self._rows:
            rows, self._rows = self._rows, []
            try:
                async with self._sessions() as session, session.begin():
                    await session.execute(insert(_TABLE), rows)  # Core: no ORM bulk path
            except Exception:
                log.exception("could not write %d turnaways; they are lost", len(rows))
