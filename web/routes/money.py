"""Finance for owner, manager and finance: a night's guaranteed and expected revenue,
and the forecast of the nights ahead (read only: there is nothing to write here)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from venue.core.clock import to_local
from venue.models import Venue
from venue.money import finance

from ..deps import MoneyVenue, NowDep, SessionDep
from ..schemas import Day

router = APIRouter(
    prefix="/api/v1/staff/venues/{slug}/finance", tags=["staff: hosts, guests, money"]
)


def business_day(venue: Venue, now: datetime) -> date:
    """The night in progress: before 06:00 local it is still last night."""
    return to_local(now - timedelta(hours=6), venue.timezone).date()


@router.get("/tonight")
async def finance_tonight(
    venue: MoneyVenue,
    session: SessionDep,
    now: NowDep,
    day: Annotated[Day | None, Query(alias="date")] = None,
) -> dict[str, Any]:
    """Guaranteed and expected revenue of a night (default tonight), by tier and host."""
    return await finance.tonight(session, venue, day or business_day(venue, now))


@router.get("/forecast")
async def finance_forecast(
    venue: MoneyVenue,
    session: SessionDep,
    now: NowDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    days: Annotated[int, Query(ge=1, le=90)] = 30,
    weeks: Annotated[int, Query(ge=1, le=26)] = 8,
) -> dict[str, Any]:
    """The next nights: booked vs the same weekdays' pace, expected final minimums and
    turned-away demand, as chart series (one per metric, one point per night)."""
    first = start or business_day(venue, now)
    return await finance.forecast(session, venue, first, days, now, weeks=weeks)
