"""Setting a venue up: the floor plan editor (plan, tables, areas, join links) and the
booking rules. Everyone but hosts reads; managers change."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from venue.core.errors import InvalidRequest
from venue.floor import floorplan
from venue.models import Venue, VenueTable
from venue.setup import rules as rules_admin
from venue.setup import venues

from ..deps import Manager, ManagerVenue, NowDep, ReaderVenue, SessionDep
from ..schemas import Amount, Int, Strict

router = APIRouter(prefix="/api/v1/staff/venues/{slug}", tags=["staff: console"])
Shape = Literal["round", "square", "rect", "booth", "bar"]
# online: guests book it; in_house: staff bookings only; walk_in: kept for the door.
BookingClass = Literal["online", "in_house", "walk_in"]


class PlanIn(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    width: int | None = Field(default=None, ge=100, le=10000)
    height: int | None = Field(default=None, ge=100, le=10000)


class TableIn(Strict):
    label: str = Field(min_length=1, max_length=20)
    tier: str = Field(min_length=1, max_length=40)
    min_party: int = Field(default=1, ge=1, le=500)
    max_party: int = Field(default=4, ge=1, le=500)
    shape: Shape = "round"
    x: int = Field(default=0, ge=0, le=10000)
    y: int = Field(default=0, ge=0, le=10000)
    width: int = Field(default=60, ge=10, le=2000)
    height: int = Field(default=60, ge=10, le=2000)
    rotation: int = Field(default=0, ge=0, lt=360)
    area_id: uuid.UUID | None = None
    base_minimum: Amount | None = None
    booking_class: BookingClass = "online"


class TablePatch(Strict):
    label: str | None = Field(default=None, min_length=1, max_length=20)
    tier: str | None = Field(default=None, min_length=1, max_length=40)
    min_party: int | None = Field(default=None, ge=1, le=500)
    max_party: int | None = Field(default=None, ge=1, le=500)
    shape: Shape | None = None
    x: int | None = Field(default=None, ge=0, le=10000)
    y: int | None = Field(default=None, ge=0, le=10000)
    width: int | None = Field(default=None, ge=10, le=2000)
    height: int | None = Field(default=None, ge=10, le=2000)
    rotation: int | None = Field(default=None, ge=0, lt=360)
    area_id: uuid.UUID | None = None
    base_minimum: Amount | None = None
    booking_class: BookingClass | None = None


class AreaIn(Strict):
    name: str = Field(min_length=1, max_length=120)
    x: int = Field(default=0, ge=0, le=10000)
    y: int = Field(default=0, ge=0, le=10000)
    width: int = Field(default=0, ge=0, le=10000)
    height: int = Field(default=0, ge=0, le=10000)


class AreaPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    x: int | None = Field(default=None, ge=0, le=10000)
    y: int | None = Field(default=None, ge=0, le=10000)
    width: int | None = Field(default=None, ge=0, le=10000)
    height: int | None = Field(default=None, ge=0, le=10000)


class LinkIn(Strict):
    table_ids: list[uuid.UUID] = Field(min_length=2, max_length=2)


def _patch(body: BaseModel, nullable: tuple[str, ...] = ()) -> dict[str, Any]:
    """Fields sent; ``null`` clears only the nullable ones (area, base minimum)."""
    sent = body.model_dump(exclude_unset=True)
    for key, value in sent.items():
        if value is None and key not in nullable:
            raise InvalidRequest(key, "cannot be null")
    return sent


# --- floor plan ------------------------------------------------------------------------


@router.get("/floor-plan")
async def get_floor_plan(venue: ReaderVenue, session: SessionDep) -> dict[str, Any]:
    """The plan as data: size, tiers, areas, tables with geometry, join links."""
    return await floorplan.floor_plan(session, venue)


@router.patch("/floor-plan")
async def patch_floor_plan(
    body: PlanIn, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Rename or resize the plan."""
    await floorplan.update_plan(session, venue, _patch(body), who.actor, now)
    return await floorplan.floor_plan(session, venue)


@router.post("/floor-plan/tables", status_code=201)
async def add_table(
    body: TableIn, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Add a table (its tier must have a price)."""
    table = await floorplan.add_table(session, venue, body.model_dump(), who.actor, now)
    return floorplan.table_dict(table)


@router.patch("/floor-plan/tables/{table_id}")
async def patch_table(
    table_id: uuid.UUID,
    body: TablePatch,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Move, resize, rotate, relabel, re-tier or re-area a table (send only what changes)."""
    table = await floorplan.table_of(session, venue, table_id)
    data = _patch(body, ("area_id", "base_minimum"))
    table = await floorplan.update_table(session, venue, table, data, who.actor, now)
    return floorplan.table_dict(table)


@router.delete("/floor-plan/tables/{table_id}", status_code=204)
async def delete_table(
    table_id: uuid.UUID, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> None:
    """Delete a table; 409 table_has_future_bookings (with ``count``) until they move."""
    table = await floorplan.table_of(session, venue, table_id)
    await floorplan.delete_table(session, venue, table, who.actor, now)


@router.post("/floor-plan/areas", status_code=201)
async def add_area(
    body: AreaIn, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Add an area (a room or section tables are grouped into)."""
    area = await floorplan.add_area(session, venue, body.model_dump(), who.actor, now)
    return floorplan.area_dict(area)


@router.patch("/floor-plan/areas/{area_id}")
async def patch_area(
    area_id: uuid.UUID,
    body: AreaPatch,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Rename, move or resize an area."""
    area = await floorplan.area_of(session, venue, area_id)
    area = await floorplan.update_area(session, venue, area, _patch(body), who.actor, now)
    return floorplan.area_dict(area)


@router.delete("/floor-plan/areas/{area_id}", status_code=204)
async def delete_area(
    area_id: uuid.UUID, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> None:
    """Delete an area; its tables stay, outside any area."""
    area = await floorplan.area_of(session, venue, area_id)
    await floorplan.delete_area(session, venue, area, who.actor, now)


async def _pair(session: SessionDep, venue: Venue, body: LinkIn) -> tuple[VenueTable, VenueTable]:
    a = await floorplan.table_of(session, venue, body.table_ids[0])
    b = await floorplan.table_of(session, venue, body.table_ids[1])
    return a, b


@router.post("/floor-plan/links", status_code=204)
async def link_tables(
    body: LinkIn, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> None:
    """Allow two tables to be joined for one party."""
    a, b = await _pair(session, venue, body)
    await floorplan.set_link(session, venue, a, b, True, who.actor, now)


@router.post("/floor-plan/links/remove", status_code=204)
async def unlink_tables(
    body: LinkIn, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> None:
    """Stop allowing two tables to be joined."""
    a, b = await _pair(session, venue, body)
    await floorplan.set_link(session, venue, a, b, False, who.actor, now)


# --- booking rules ---------------------------------------------------------------------


class RulesIn(Strict):
    version: Amount = Field(description="the version you read; 409 rules_changed if stale")
    hold_minutes: Int | None = None
    payment_hold_minutes: Int | None = None
    cutoff_minutes: Int | None = None
    booking_window_days: Int | None = None
    min_party: Int | None = None
    max_party: Int | None = None
    per_guest_daily_cap: Int | None = None
    price_rounding_step: Int | None = None
    cancel_cutoff_minutes: Int | None = None
    service_opens_minutes: Int | None = None
    waitlist_offer_minutes: Int | None = None
    waitlist_short_offer_minutes: Int | None = None
    waitlist_short_within_minutes: Int | None = None
    guests_choose_tables: Int | None = None


@router.get("/rules")
async def get_rules(venue: ReaderVenue, session: SessionDep) -> dict[str, Any]:
    """The booking rules, their version and each field's bounds and meaning."""
    rules = await venues.rules_of(session, venue)
    return {**rules_admin.rules_dict(rules), "fields": rules_admin.rules_help()}


@router.patch("/rules")
async def patch_rules(
    body: RulesIn, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Change some rules; every invalid field is explained at once (422 rules_invalid)."""
    changes = _patch(body)
    version = changes.pop("version")
    rules = await rules_admin.update_rules(session, venue, changes, version, who.actor, now)
    return {**rules_admin.rules_dict(rules), "fields": rules_admin.rules_help()}
