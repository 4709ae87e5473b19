"""Public: why a table costs what it costs tonight."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from venue.floor import explain

from .deps import NowDep, PublicVenue, SessionDep
from .schemas import Day

router = APIRouter(prefix="/api/v1/venues/{slug}", tags=["public"])


@router.get("/nights/{day}/tables/{table_id}/quote")
async def table_quote(
    venue: PublicVenue,
    session: SessionDep,
    now: NowDep,
    day: Day,
    table_id: uuid.UUID,
    sitting: Annotated[uuid.UUID | None, Query()] = None,
) -> dict[str, Any]:
    """The table's minimum and deposit now, with every step that produced them."""
    return await explain.table_quote(session, venue, day, table_id, sitting, now)
