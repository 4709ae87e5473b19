"""Guest profiles for staff: search, a profile with visits and spend, editing tags and
notes; merging duplicates, exporting and erasing a guest (managers). Hosts and finance
get 403 here."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from venue.core.errors import InvalidRequest
from venue.guests import profiles
from venue.models import Guest, Venue

from ..deps import Floor, FloorVenue, Manager, ManagerVenue, NowDep, SessionDep
from ..schemas import Strict

router = APIRouter(
    prefix="/api/v1/staff/venues/{slug}/guests", tags=["staff: hosts, guests, money"]
)


@router.get("")
async def search_guests(
    venue: FloorVenue,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    """Guests by name, email or phone digits, with tags and visit counts."""
    return await profiles.search(session, venue.tenant_id, q, limit)


async def _guest(session: SessionDep, venue: Venue, guest_id: uuid.UUID) -> Guest:
    return await profiles.guest_of(session, venue.tenant_id, guest_id)


@router.get("/{guest_id}")
async def guest_profile(
    guest_id: uuid.UUID, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Visits, minimums and spend, no-shows, late cancellations, tags, notes, first host."""
    return await profiles.profile(session, venue, await _guest(session, venue, guest_id), now)


class GuestPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    tags: list[Annotated[str, Field(max_length=40)]] | None = Field(default=None, max_length=20)
    notes: str | None = Field(default=None, max_length=2000)


@router.patch("/{guest_id}")
async def edit_guest(
    guest_id: uuid.UUID,
    body: GuestPatch,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Edit contact details, tags (e.g. ["VIP"]) and notes; send only what changes."""
    guest = await _guest(session, venue, guest_id)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("name", "") is None or changes.get("tags", []) is None:
        raise InvalidRequest("body", "name and tags cannot be null")
    await profiles.edit(session, venue, guest, changes, who.actor, now)
    return await profiles.profile(session, venue, guest, now)


class MergeIn(Strict):
    duplicate_id: uuid.UUID


@router.post("/{guest_id}/merge")
async def merge_guests(
    guest_id: uuid.UUID,
    body: MergeIn,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Fold a duplicate into this guest: reservations move over; audited."""
    keep = await _guest(session, venue, guest_id)
    dup = await _guest(session, venue, body.duplicate_id)
    moved = await profiles.merge(session, keep, dup, who.actor, now)
    return {**await profiles.profile(session, venue, keep, now), "moved_reservations": moved}


@router.get("/{guest_id}/export")
async def export_guest(
    guest_id: uuid.UUID, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Everything held about the guest (subject access request), as JSON."""
    return await profiles.export(session, venue, await _guest(session, venue, guest_id), now)


class EraseIn(Strict):
    reason: str = Field(min_length=3, max_length=300)


@router.post("/{guest_id}/erase")
async def erase_guest(
    guest_id: uuid.UUID,
    body: EraseIn,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Anonymise the guest on request; financial records stay, anonymised."""
    guest = await _guest(session, venue, guest_id)
    await profiles.erase(session, guest, body.reason, who.actor, now)
    return await profiles.profile(session, venue, guest, now)
