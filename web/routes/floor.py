"""Tonight's floor for staff: the nights, the live floor, closing a night, blocking tables.

Roles: everyone but hosts reads; floor staff block and unblock; managers close and reopen.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from venue.floor import closures, floormap
from venue.models import Night, TableBlock, Venue
from venue.reservations import operations
from venue.setup import venues

from ..deps import Floor, FloorVenue, Manager, ManagerVenue, NowDep, ReaderVenue, SessionDep
from ..schemas import Day, Strict

router = APIRouter(prefix="/api/v1/staff/venues/{slug}/nights", tags=["staff: console"])


@router.get("")
async def list_nights(
    venue: ReaderVenue,
    session: SessionDep,
    now: NowDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    days: Annotated[int, Query(ge=1, le=120)] = 14,
) -> list[dict[str, Any]]:
    """Nights from a date (default: the current business date), with free tables."""
    first = start or (now - timedelta(hours=6)).date()
    nights = await venues.nights_between(session, venue, first, first + timedelta(days=days - 1))
    return await floormap.nights_summary(session, venue, nights, now)


@router.get("/{day}/floor")
async def night_floor(
    day: Day,
    venue: ReaderVenue,
    session: SessionDep,
    now: NowDep,
    sitting: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The live floor for staff: each table's state, reservation, guest, party, minimum,
    block reason; totals of guests and tables against capacity. Live updates arrive on
    the public floor WebSocket; refetch this on each delta for the staff overlay."""
    night = await venues.night_on(session, venue, day)
    return await operations.staff_floor(session, venue, night, sitting, now)


class CloseNightIn(Strict):
    reason: str = Field(min_length=1, max_length=300)


@router.post("/{day}/close")
async def close_night(
    day: Day,
    body: CloseNightIn,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Close the night to all new bookings; live bookings stay (their count is returned)."""
    night = await venues.night_on(session, venue, day)
    await closures.set_closed(session, night, True, body.reason, who.actor, now)
    return await _night_out(session, venue, night, now)


@router.post("/{day}/reopen")
async def reopen_night(
    day: Day, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Open a closed night for bookings again."""
    night = await venues.night_on(session, venue, day)
    await closures.set_closed(session, night, False, None, who.actor, now)
    return await _night_out(session, venue, night, now)


async def _night_out(
    session: SessionDep, venue: Venue, night: Night, now: datetime
) -> dict[str, Any]:
    summary = (await floormap.nights_summary(session, venue, [night], now))[0]
    return {**summary, "live_reservations": await closures.live_count(session, night, now)}


class BlockIn(Strict):
    table_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    area_id: uuid.UUID | None = None
    reason: str = Field(min_length=1, max_length=300)


class UnblockIn(Strict):
    table_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    area_id: uuid.UUID | None = None


@router.get("/{day}/blocks")
async def list_blocks(day: Day, venue: ReaderVenue, session: SessionDep) -> list[dict[str, Any]]:
    """Tables out of sale that night, with the reason."""
    night = await venues.night_on(session, venue, day)
    return [_block_out(b) for b in await closures.blocks_of(session, night)]


def _block_out(b: TableBlock) -> dict[str, Any]:
    source = str(b.source_import_id) if b.source_import_id else None
    return {
        "table_id": str(b.table_id),
        "reason": b.reason,
        "created_at": b.created_at,
        "source_import_id": source,  # set when an imported calendar made the block
    }


@router.post("/{day}/blocks", status_code=201)
async def block_tables(
    day: Day, body: BlockIn, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> list[dict[str, Any]]:
    """Block tables (or every table of an area) for the night; 409 table_has_booking
    while a live booking sits on one of them."""
    night = await venues.night_on(session, venue, day)
    tables = await closures.tables_to_block(session, venue, body.table_ids, body.area_id)
    made = await closures.block(session, venue, night, tables, body.reason, who.actor, now)
    return [_block_out(b) for b in made]


@router.post("/{day}/unblock")
async def unblock_tables(
    day: Day, body: UnblockIn, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, int]:
    """Put blocked tables (or an area's) back on sale for the night."""
    night = await venues.night_on(session, venue, day)
    tables = await closures.tables_to_block(session, venue, body.table_ids, body.area_id)
    return {"unblocked": await closures.unblock(session, venue, night, tables, who.actor, now)}
