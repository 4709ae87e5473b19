"""Finance for owner, manager and finance: a night's guaranteed and expected revenue,
and the forecast of the nights ahead (read only: there is nothing to write here)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from venue.core.clock import local_to_utc, to_local
from venue.models import Venue
from venue.money import finance
from venue.waitlist import offers

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


@router.get("/waitlist", responses={422: {"description": "month is not YYYY-MM"}})
async def finance_waitlist(
    venue: MoneyVenue,
    session: SessionDep,
    now: NowDep,
    month: Annotated[
        str | None, Query(pattern=r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    ] = None,
) -> dict[str, Any]:
    """What the waitlist recovered in a month (default this one, venue-local): accepted
    offers whose booking stands, their minimum spend, and the offers made by outcome."""
    if month is None:
        first = to_local(now, venue.timezone).date().replace(day=1)
    else:
        first = date(int(month[:4]), int(month[5:]), 1)
    following = (first + timedelta(days=32)).replace(day=1)
    start = local_to_utc(first, time(0, 0), venue.timezone)
    end = local_to_utc(following, time(0, 0), venue.timezone)
    got = await offers.recovered(session, venue.tenant_id, [venue.id], start, end)
    mine = got["by_currency"].get(venue.currency, {"bookings": 0, "value": 0})
    return {
        "month": f"{first:%Y-%m}",
        "currency": venue.currency,
        "bookings": got["bookings"],
        "value": mine["value"],
        "by_currency": got["by_currency"],
        "offers": got["offers"],
    }
