"""Managers' pricing API: read and replace a venue's rules, preview any night."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from pricing import rules_to_dict
from venue.core.actor import Actor
from venue.core.errors import NotFound
from venue.floor import price_rules
from venue.models import Venue
from venue.setup import venues

from .deps import NowDep, SessionDep
from .schemas import Day
from .staff_auth import Staff, require

router = APIRouter(prefix="/api/v1/staff/venues/{slug}/pricing", tags=["staff: pricing"])
Manager = Annotated[Staff, require("owner", "manager")]
Reader = Annotated[Staff, require("owner", "manager", "finance", "floor")]

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


async def own_venue(session: SessionDep, who: Staff, slug: str) -> Venue:
    venue = await venues.venue_by_slug(session, slug)
    if venue.tenant_id != who.user.tenant_id:
        raise NotFound(f"no venue '{slug}'")
    return venue


@router.get("")
async def get_rules(slug: str, session: SessionDep, who: Reader) -> dict[str, Any]:
    """The venue's pricing rules as data."""
    venue = await own_venue(session, who, slug)
    return rules_to_dict(await price_rules.current(session, venue))


@router.put("")
async def put_rules(
    slug: str,
    session: SessionDep,
    now: NowDep,
    who: Manager,
    rules: Annotated[dict[str, Any], Body(examples=[RULES_EXAMPLE])],
) -> dict[str, Any]:
    """Replace the rules. Every tier that has tables needs a price; every problem is
    reported at once (422 with field paths)."""
    venue = await own_venue(session, who, slug)
    actor = Actor("staff", str(who.user.id))
    return rules_to_dict(await price_rules.replace(session, venue, rules, actor, now))


@router.get("/preview")
async def preview(
    slug: str,
    session: SessionDep,
    now: NowDep,
    who: Reader,
    day: Annotated[Day, Query(alias="date")],
    taken_bp: Annotated[int, Query(ge=0, le=10000, description="share taken, 7000 = 70%")] = 0,
) -> list[dict[str, Any]]:
    """What each table of a night would cost if that share of it were taken."""
    venue = await own_venue(session, who, slug)
    return await price_rules.preview(session, venue, day, taken_bp, now)
