"""Managers' pricing API: read and replace a venue's rules, preview any night."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from pricing import rules_to_dict
from venue.floor import price_rules

from ..deps import Manager, ManagerVenue, NowDep, ReaderVenue, SessionDep
from ..schemas import Day

router = APIRouter(prefix="/api/v1/staff/venues/{slug}/pricing", tags=["staff: pricing"])

RULES_EXAMPLE = {
    "currency": "GBP",
    "rounding_step": 500,
    "tiers": [{"tier": "standard", "base_minimum": 30000, "floor": 20000, "ceiling": 90000}],
    "adjustments": [
        {"kind": "weekday", "mode": "percent", "value": 2500, "weekdays": [5], "label": "Saturday"},
        {
            "kind": "demand",
            "mode": "percent",
            "value": 1000,
            "threshold_bp": 5000,
            "scope": "tier",
            "label": "Half full",
        },
    ],
    "deposits": [{"mode": "percent", "value": 2500, "tier": None}],
}


@router.get("")
async def get_rules(venue: ReaderVenue, session: SessionDep) -> dict[str, Any]:
    """The venue's pricing rules as data."""
    return rules_to_dict(await price_rules.current(session, venue))


@router.put("")
async def put_rules(
    session: SessionDep,
    now: NowDep,
    who: Manager,
    venue: ManagerVenue,
    rules: Annotated[dict[str, Any], Body(examples=[RULES_EXAMPLE])],
) -> dict[str, Any]:
    """Replace the rules. Every tier that has tables needs a price; every problem is
    reported at once (422 with field paths)."""
    return rules_to_dict(await price_rules.replace(session, venue, rules, who.actor, now))


@router.get("/preview")
async def preview(
    venue: ReaderVenue,
    session: SessionDep,
    now: NowDep,
    day: Annotated[Day, Query(alias="date")],
    taken_bp: Annotated[int, Query(ge=0, le=10000, description="share taken, 7000 = 70%")] = 0,
) -> list[dict[str, Any]]:
    """What each table of a night would cost if that share of it were taken."""
    return await price_rules.preview(session, venue, day, taken_bp, now)
