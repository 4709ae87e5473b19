"""Closing nights and blocking tables (private hire, maintenance), audited and pushed live.

Blocking claims the tables through ``claim.tables`` as a booking does, so a hold racing
a block cannot slip past it; a table with a live booking is refused until it is moved.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.channels import night_channel
from venue.core.errors import (
    Conflict,
    InvalidRequest,
)
from venue.floor import availability, claim
from venue.floor.floorplan import area_of
from venue.journal.audit import record
from venue.models import (
    EXPIRING,
    OCCUPYING,
    Night,
    Reservation,
    TableBlock,
    Venue,
    VenueTable,
)
from venue.setup import venues


class TableHasBooking(Conflict):
    code = "table_has_booking"


# --- closures and blocks -------------------------------------------------------------


async def live_count(session: AsyncSession, night: Night, now: datetime) -> int:
    """Live (occupying) reservations of the night."""
    return int(
        await session.scalar(
            select(func.count(Reservation.id)).where(
                Reservation.tenant_id == night.tenant_id,
                Reservation.night_id == night.id,
                Reservation.status.in_([s.value for s in OCCUPYING]),
                or_(
                    Reservation.status.not_in([s.value for s in EXPIRING]),
                    Reservation.expires_at > now,
                ),
            )
        )
        or 0
    )


async def set_closed(
    session: AsyncSession,
    night: Night,
    closed: bool,
    reason: str | None,
    actor: Actor,
    now: datetime,
) -> Night:
    """Close (no new holds, online or staff) or reopen a night. Existing bookings stay:
    the caller is told how many, and cancels them one by one so each guest is told."""
    before = {"closed": night.is_closed, "reason": night.closed_reason}
    night.is_closed = closed
    night.closed_reason = reason if closed else None
    await session.flush()
    after = {"closed": night.is_closed, "reason": night.closed_reason}
    action = "night.closed" if closed else "night.reopened"
    record(
        session,
        tenant_id=night.tenant_id,
        actor=str(actor),
        action=action,
        entity="night",
        entity_id=night.id,
        before=before,
        after=after,
        at=now,
        topic=action,
        channel=night_channel(night.id),
        payload={"night_id": str(night.id), **after},
    )
    return night


async def tables_to_block(
    session: AsyncSession,
    venue: Venue,
    table_ids: list[uuid.UUID],
    area_id: uuid.UUID | None,
) -> list[VenueTable]:
    plan = await venues.active_plan(session, venue)
    all_tables = await availability.tables_of(session, venue, plan.id)
    chosen = availability.pick(all_tables, table_ids) if table_ids else []
    if area_id is not None:
        area = await area_of(session, venue, area_id)
        chosen += [t for t in all_tables if t.area_id == area.id and t not in chosen]
    if not chosen:
        raise InvalidRequest("table_ids", "name at least one table, or an area with tables")
    return sorted(chosen, key=lambda t: t.label)


async def block(
    session: AsyncSession,
    venue: Venue,
    night: Night,
    tables: list[VenueTable],
    reason: str,
    actor: Actor,
    now: datetime,
) -> list[TableBlock]:
    """Take tables out of sale for the night. A table with a live booking that night is
    refused (409) until the booking is moved or cancelled; the claim makes a hold racing
    this block either land first (and we refuse) or fail and see the block."""
    existing = {b.table_id: b for b in await blocks_of(session, night)}
    fresh = [t for t in tables if t.id not in existing]

    async def check(seen: claim.Versions) -> None:
        busy = await availability.occupying(
            session, venue.tenant_id, seen.keys(), night.opens_at, night.closes_at, now
        )
        if busy:
            labels = ", ".join(t.label for t in fresh if t.id in busy)
            raise TableHasBooking(
                f"move or cancel the booking on {labels} first",
                table_ids=[str(t) for t in busy],
                reservation_ids=sorted({str(rid) for rid, _ in busy.values()}),
            )

    await claim.tables(session, venue.tenant_id, [t.id for t in fresh], check)
    made = []
    for table in tables:
        row = existing.get(table.id)
        if row is None:
            row = TableBlock(
                tenant_id=venue.tenant_id,
                night_id=night.id,
                table_id=table.id,
                reason=reason,
                created_at=now,
            )
            session.add(row)
        else:
            row.reason = reason
        made.append(row)
    await session.flush()
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="table.blocked",
        entity="night",
        entity_id=night.id,
        before=None,
        after={"table_ids": [str(t.id) for t in tables], "reason": reason},
        at=now,
        topic="table.blocked",
        channel=night_channel(night.id),
    )
    return made


async def unblock(
    session: AsyncSession,
    venue: Venue,
    night: Night,
    tables: list[VenueTable],
    actor: Actor,
    now: datetime,
) -> int:
    ids = [t.id for t in tables]
    gone = await session.execute(
        delete(TableBlock).where(
            TableBlock.tenant_id == venue.tenant_id,
            TableBlock.night_id == night.id,
            TableBlock.table_id.in_(ids),
        )
    )
    count = int(gone.rowcount or 0)  # type: ignore[attr-defined]
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="table.unblocked",
        entity="night",
        entity_id=night.id,
        before={"table_ids": [str(i) for i in ids]},
        after=None,
        at=now,
        topic="table.unblocked",
        channel=night_channel(night.id),
        payload={"table_ids": [str(i) for i in ids]},
    )
    return count


async def blocks_of(session: AsyncSession, night: Night) -> list[TableBlock]:
    return list(
        await session.scalars(
            select(TableBlock).where(
                TableBlock.tenant_id == night.tenant_id, TableBlock.night_id == night.id
            )
        )
    )
