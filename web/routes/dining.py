"""A restaurant for staff: its rules (service periods, turn times), opening a night from
them, a night's covers and pacing, phone and walk-in parties seated by assignment, and
the turn-away report (clubs too).

Roles: everyone but hosts reads; floor staff book; managers change the rules."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, ConfigDict, Field, field_validator

from venue.core.clock import to_local
from venue.dining import booking as dining
from venue.dining import nights, report, rules, service, staff
from venue.reservations import operations
from venue.setup import venues

from ..deps import Floor, FloorVenue, Manager, ManagerVenue, NowDep, ReaderVenue, SessionDep
from ..schemas import Day, GuestIn, Strict

router = APIRouter(prefix="/api/v1/staff/venues/{slug}", tags=["staff: restaurant"])
Count = Annotated[int, Field(ge=0, le=100000)]


class PeriodIn(Strict):
    name: str = Field(min_length=1, max_length=60)
    weekday: int | None = Field(default=None, ge=0, le=6, description="0 Monday .. 6 Sunday")
    on_date: Day | None = Field(default=None, description="an exception for one date")
    first_start: time
    last_start: time
    interval_minutes: int = Field(default=15, ge=5, le=240)
    covers_limit: Count
    pacing_covers: int | None = Field(default=None, ge=1, le=100000)
    is_closed: bool = False

    @field_validator("first_start", "last_start")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("a time on the venue's clock, without an offset (e.g. 18:30)")
        return value


class TurnIn(Strict):
    min_party: int = Field(ge=1, le=500)
    minutes: int = Field(ge=15, le=1440)


class DiningRulesIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "periods": [
                        {
                            "name": "Early",
                            "weekday": 1,
                            "first_start": "18:00",
                            "last_start": "18:00",
                            "covers_limit": 36,
                        },
                        {
                            "name": "Dinner",
                            "weekday": 5,
                            "first_start": "17:30",
                            "last_start": "21:30",
                            "interval_minutes": 15,
                            "covers_limit": 70,
                            "pacing_covers": 12,
                        },
                    ],
                    "turn_times": [
                        {"min_party": 1, "minutes": 90},
                        {"min_party": 3, "minutes": 105},
                        {"min_party": 5, "minutes": 120},
                        {"min_party": 7, "minutes": 150},
                    ],
                }
            ]
        }
    )

    periods: list[PeriodIn] = Field(max_length=200)
    turn_times: list[TurnIn] = Field(max_length=50)


def _rules_out(periods: list[rules.Period], turns: list[tuple[int, int]]) -> dict[str, Any]:
    return {
        "periods": [p.to_dict() for p in periods],
        "turn_times": [{"min_party": p, "minutes": m} for p, m in turns],
        "default_turn_minutes": rules.DEFAULT_TURN,
    }


@router.get("/dining/rules")
async def get_dining_rules(venue: ReaderVenue, session: SessionDep) -> dict[str, Any]:
    """Service periods (per weekday, exceptions by date) and turn times by party size."""
    periods = rules.as_periods(await rules.periods_of(session, venue))
    return _rules_out(periods, await rules.turns_of(session, venue))


@router.put("/dining/rules")
async def put_dining_rules(
    body: DiningRulesIn, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Replace the service periods and turn times (nights already open keep theirs)."""
    periods = [rules.Period(**p.model_dump()) for p in body.periods]
    turns = [(t.min_party, t.minutes) for t in body.turn_times]
    await rules.replace(session, venue, periods, turns, actor=str(who.actor), now=now)
    return _rules_out(periods, turns)


@router.post("/dining/nights/{day}", status_code=201)
async def open_night(
    day: Day, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Open a date for booking from the service periods that apply to it."""
    night = await nights.open_night(session, venue, day, actor=who.actor, now=now)
    return await service.night_service(session, venue, night, now)


class SittingPatch(Strict):
    covers_limit: Count | None = None
    pacing_covers: int | None = Field(default=None, ge=1, le=100000)


@router.patch("/dining/sittings/{sitting_id}")
async def patch_sitting(
    sitting_id: uuid.UUID,
    body: SittingPatch,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Change one night's covers limit or pacing (null pacing: none)."""
    changes = body.model_dump(exclude_unset=True)
    sitting = await nights.edit_sitting(
        session, venue, sitting_id, changes, actor=who.actor, now=now
    )
    return {
        "id": str(sitting.id),
        "covers_limit": sitting.covers_limit,
        "pacing_covers": sitting.pacing_covers,
    }


@router.get("/dining/{day}/service")
async def night_service(
    day: Day, venue: ReaderVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Each sitting's covers and tables used, covers per pacing slot, and its parties
    with their times and tables. Refetch on each floor WebSocket message."""
    night = await venues.night_on(session, venue, day)
    return await service.night_service(session, venue, night, now)


class PartyBookingIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-28",
                    "party_size": 5,
                    "starts_at": "2026-11-28T19:30:00Z",
                    "channel": "phone",
                    "guest": {"name": "Ada Lovelace", "phone": "+44 7700 900123"},
                }
            ]
        }
    )

    date: Day
    party_size: int = Field(ge=1, le=500)
    starts_at: AwareDatetime | None = Field(
        default=None, description="a start time (UTC) from .../nights/{day}/sittings"
    )
    sitting_id: uuid.UUID | None = None
    table_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=8, description="override the assignment"
    )
    channel: Literal["phone", "walk_in"]
    guest: GuestIn
    notes: str | None = Field(default=None, max_length=1000)
    seat_now: bool = False


@router.post("/dining/bookings", status_code=201)
async def book_party(
    body: PartyBookingIn, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """A phone or walk-in party: seated by assignment (or on the tables named), past the
    online cutoff and the online-only tables, confirmed at once."""
    req = dining.PartyRequest(
        business_date=body.date,
        party_size=body.party_size,
        sitting_id=body.sitting_id,
        starts_at=body.starts_at,
        table_ids=tuple(body.table_ids),
        channel=body.channel,
        bypass_rules=True,
        notes=body.notes,
    )
    who_ = operations.staff_identity(
        venue, body.channel, body.guest.name, body.guest.email, body.guest.phone
    )
    res = await staff.book_party(session, venue, req, who_, body.seat_now, who.actor, now)
    return await operations.details(session, venue, res)


@router.get("/turnaways/report")
async def turnaway_report(
    venue: ReaderVenue,
    session: SessionDep,
    now: NowDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Parties that could not be seated, by weekday, time, party size and reason, with a
    sentence and the figures for a chart (default: the last six weeks)."""
    today = to_local(now, venue.timezone).date()
    last: date = end or today
    first: date = start or last - timedelta(days=41)
    return await report.turnaway_report(session, venue, first, last)
