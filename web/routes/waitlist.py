"""The waitlist: guests join, see their place and leave; offers are accepted or declined
by their link; staff see a night's list with the offers in flight and skip, offer or
book directly.

The domain is venue/waitlist/; offers are holds made by venue/waitlist/offers.py (the
outbox consumer makes them by itself after a table is freed).
"""

from __future__ import annotations

import uuid
from datetime import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import GUEST
from venue.models import EntryStatus, Venue, WaitlistEntry
from venue.setup import venues
from venue.waitlist import entries, offers

from .. import languages
from ..deps import Floor, FloorVenue, NowDep, PublicVenue, ReaderVenue, SessionDep
from ..schemas import Day, Strict

public = APIRouter(prefix="/api/v1/venues/{slug}", tags=["public"])
staff = APIRouter(prefix="/api/v1/staff/venues/{slug}/waitlist", tags=["staff: console"])

JOIN_PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no night that day, or no such sitting"},
    409: {"description": "night_closed, waitlist_already_joined"},
    422: {"description": "a field that cannot be used: the party, the contact, tiers, areas"},
}
OFFER_PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such offer"},
    409: {
        "description": "waitlist_offer_closed (already accepted, declined or lapsed), "
        "guest_daily_cap, reservation_changed"
    },
    410: {"description": "waitlist_offer_lapsed: the table went to the next party"},
}
ENTRY_PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such waitlist entry"},
    409: {"description": "waitlist_entry_closed, waitlist_nothing_fits, table_unavailable"},
}


class JoinIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-28",
                    "party_size": 4,
                    "name": "Ada Lovelace",
                    "email": "ada@example.com",
                    "latest_time": "23:30",
                }
            ]
        },
    )

    date: Day
    party_size: int = Field(ge=1, le=500)
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    sitting_id: uuid.UUID | None = None
    tiers: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=20, description="acceptable tiers; empty: any"
    )
    area_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=20, description="acceptable areas; empty: any"
    )
    latest_time: time | None = Field(
        default=None, description="the latest start accepted, venue-local (after midnight ok)"
    )
    notes: str | None = Field(default=None, max_length=500)

    def request(self, channel: str) -> entries.JoinRequest:
        return entries.JoinRequest(
            business_date=self.date,
            party_size=self.party_size,
            name=self.name,
            email=self.email,
            phone=self.phone,
            sitting_id=self.sitting_id,
            tiers=self.tiers,
            area_ids=self.area_ids,
            latest_time=self.latest_time.replace(tzinfo=None) if self.latest_time else None,
            notes=self.notes,
            channel=channel,
        )


class StaffJoinIn(JoinIn):
    channel: Literal["phone", "walk_in"] = "phone"


class TablesIn(Strict):
    table_ids: list[uuid.UUID] = Field(default_factory=list, max_length=8)


class BookIn(Strict):
    table_ids: list[uuid.UUID] = Field(min_length=1, max_length=8)


def _secret(request: Request) -> str:
    return str(request.app.state.settings.secret_key)


async def _entry_out(session: AsyncSession, venue: Venue, entry: WaitlistEntry) -> dict[str, Any]:
    view = entries.entry_dict(entry, venue.timezone, await entries.position(session, entry))
    offer = await offers.open_offer_of(session, entry)
    view["offer"] = offers.offer_view(offer) if offer else None
    return view


# --- the guest --------------------------------------------------------------------------


@public.post("/waitlist", status_code=201, responses=JOIN_PROBLEMS)
async def join(
    request: Request, body: JoinIn, venue: PublicVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Join a night's waitlist; the token in the answer opens the status page."""
    joined = await entries.join(session, venue, body.request("online"), GUEST, now)
    joined.entry.language = languages.of_guest(request)
    return {**await _entry_out(session, venue, joined.entry), "token": joined.token}


@public.get("/waitlist/{token}", responses={404: {"description": "no such waitlist entry"}})
async def status(token: str, venue: PublicVenue, session: SessionDep) -> dict[str, Any]:
    """The guest's place in the queue and any offer in flight."""
    entry = await entries.by_token(session, venue, token)
    return await _entry_out(session, venue, entry)


@public.post("/waitlist/{token}/leave", responses=ENTRY_PROBLEMS)
async def leave(token: str, venue: PublicVenue, session: SessionDep, now: NowDep) -> dict[str, Any]:
    """Leave the waitlist; an offer in flight is withdrawn and its table handed on."""
    entry = await entries.by_token(session, venue, token)
    await offers.leave(session, venue, entry, GUEST, now)
    return await _entry_out(session, venue, entry)


@public.get("/offers/{token}", responses={404: {"description": "no such offer"}})
async def offer(token: str, venue: PublicVenue, session: SessionDep) -> dict[str, Any]:
    """An offer made from the waitlist: the table, the night, the price, the deadline."""
    found = await offers.by_token(session, venue, token)
    return await offers.details(session, venue, found)


@public.post("/offers/{token}/accept", responses=OFFER_PROBLEMS)
async def accept(
    token: str, venue: PublicVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Take the offered table: booked, or awaiting the deposit (then start Checkout with
    the same token: ``POST /api/v1/venues/{slug}/reservations/{token}/checkout``)."""
    done = await offers.accept(session, venue, token, GUEST, now)
    return {
        **await offers.details(session, venue, done.offer),
        "needs_payment": done.needs_payment,
        "manage_url": f"/v/{venue.slug}/r/{token}",
    }


@public.post("/offers/{token}/decline", responses=OFFER_PROBLEMS)
async def decline(
    token: str, venue: PublicVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Say no to the offer: the table goes to the next party that fits."""
    found = await offers.decline(session, venue, token, GUEST, now)
    return await offers.details(session, venue, found)


# --- staff ------------------------------------------------------------------------------


@staff.get("", responses={404: {"description": "no night that day"}})
async def night_list(
    venue: ReaderVenue, session: SessionDep, day: Annotated[Day, Query(alias="date")]
) -> dict[str, Any]:
    """The night's waitlist in queue order, with each entry's offer in flight."""
    night = await venues.night_on(session, venue, day)
    queue = await entries.queue_of(session, night)
    in_flight = await entries.open_offers(session, night)
    rows = []
    place = 0
    for entry in queue:
        if entry.status in entries.QUEUED:
            place += 1
        view = entries.entry_dict(
            entry, venue.timezone, place if entry.status in entries.QUEUED else None
        )
        view.update(email=entry.email, phone=entry.phone, notes=entry.notes)
        offer_row = in_flight.get(entry.id)
        view["offer"] = offers.offer_view(offer_row) if offer_row else None
        rows.append(view)
    waiting = sum(1 for e in queue if e.status in entries.QUEUED)
    return {"date": day.isoformat(), "night_id": str(night.id), "waiting": waiting, "entries": rows}


@staff.post("", status_code=201, responses=JOIN_PROBLEMS)
async def add(
    body: StaffJoinIn, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Add a phone or walk-in party to the night's waitlist."""
    joined = await entries.join(session, venue, body.request(body.channel), who.actor, now)
    return await _entry_out(session, venue, joined.entry)


@staff.post("/{entry_id}/skip", responses=ENTRY_PROBLEMS)
async def skip(
    entry_id: uuid.UUID, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Take the party off the list; an offer in flight is withdrawn and handed on."""
    entry = await entries.by_id(session, venue, entry_id)
    await offers.leave(session, venue, entry, who.actor, now, EntryStatus.SKIPPED)
    return await _entry_out(session, venue, entry)


@staff.post("/{entry_id}/offer", responses=ENTRY_PROBLEMS)
async def offer_now(
    entry_id: uuid.UUID,
    body: TablesIn,
    request: Request,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Offer this party a table now: the named tables, or the best free one that fits."""
    entry = await entries.by_id(session, venue, entry_id)
    await offers.offer_to(
        session, venue, entry, now, _secret(request), who.actor, body.table_ids or None
    )
    return await _entry_out(session, venue, entry)


@staff.post("/{entry_id}/book", responses=ENTRY_PROBLEMS)
async def book(
    entry_id: uuid.UUID,
    body: BookIn,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Book the party on these tables at once (a staff booking)."""
    entry = await entries.by_id(session, venue, entry_id)
    await offers.book_directly(session, venue, entry, body.table_ids, who.actor, now)
    return await _entry_out(session, venue, entry)
