"""Public booking, by venue slug: the venue, nights, floor map, availability, a table's
quote, holds and the guest's own reservation (looked up and cancelled by its token)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core import i18n
from venue.core.actor import GUEST
from venue.core.errors import (
    DomainError,
    GuestDailyCap,
    InvalidRequest,
    NotFound,
    TableUnavailable,
)
from venue.dining import booking as dining
from venue.dining import capacity
from venue.floor import claim, explain, floormap
from venue.guests import records
from venue.guests.identity import identify
from venue.hosts import hosts
from venue.journal import turnaways
from venue.models import Guest, Reservation, Venue, VenueTable
from venue.money import ledger
from venue.notifications import links
from venue.reservations import booking
from venue.setup import venues

from .. import languages, metrics
from ..deps import NowDep, PublicVenue, SessionDep
from ..floorcache import FloorCache
from ..languages import _g
from ..schemas import (
    AvailabilityOut,
    CancelIn,
    CompleteIn,
    Day,
    FloorOut,
    HoldIn,
    HoldOut,
    NightOut,
    ReservationOut,
    SittingsOut,
    TokenIn,
    VenueOut,
)
from .payments import CancelOut, refund_on_cancel

router = APIRouter(prefix="/api/v1/venues/{slug}", tags=["public"])
Sitting = Annotated[uuid.UUID | None, Query(description="defaults to the night's first sitting")]


@router.get("", response_model=VenueOut)
async def get_venue(venue: PublicVenue, session: SessionDep) -> dict[str, Any]:
    """The venue, its branding and the booking limits a guest needs to know."""
    rules = await venues.rules_of(session, venue)
    return {
        **{k: getattr(venue, k) for k in ("slug", "name", "timezone", "currency", "phone")},
        "brand_color": venue.brand_color,
        "logo_url": venue.logo_url,
        "mode": venue.mode,
        "min_party": rules.min_party,
        "max_party": rules.max_party,
        "hold_minutes": rules.hold_minutes,
    }


@router.get("/nights", response_model=list[NightOut])
async def list_nights(
    venue: PublicVenue,
    session: SessionDep,
    now: NowDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    days: Annotated[int, Query(ge=1, le=120)] = 28,
) -> list[dict[str, Any]]:
    """Nights from a date (default: those not yet over), closed and sold-out flagged."""
    first = start or (now - timedelta(days=1)).date()
    nights = await venues.nights_between(session, venue, first, first + timedelta(days=days))
    if start is None:  # from now on: a night that has already closed is of no use
        nights = [n for n in nights if n.closes_at > now][:days]
    return await floormap.nights_summary(session, venue, nights, now)


@router.get("/nights/{day}/floor", response_model=FloorOut)
async def get_floor(
    request: Request,
    venue: PublicVenue,
    session: SessionDep,
    now: NowDep,
    day: Day,
    sitting: Sitting = None,
) -> Response:
    """Every table of the night with its state, tier, capacity, position and minimum."""
    cache: FloorCache = request.app.state.floor_cache

    async def compute() -> bytes:
        night = await venues.night_on(session, venue, day)
        floor = await floormap.floor_map(session, venue, night, sitting, now)
        return orjson.dumps(floor)

    body = await cache.get_or_compute((venue.id, day, sitting), compute)
    return Response(body, media_type="application/json")


@router.get("/nights/{day}/availability", response_model=AvailabilityOut)
async def get_availability(
    venue: PublicVenue,
    session: SessionDep,
    now: NowDep,
    day: Day,
    party_size: Annotated[int, Query(ge=1, le=500)],
    sitting: Sitting = None,
) -> dict[str, Any]:
    """Free tables that seat the party; finding none is recorded as turned-away turnaways."""
    night = await venues.night_on(session, venue, day)
    floor = await floormap.floor_map(session, venue, night, sitting, now)
    fits = [
        table
        for table in floor["tables"]
        if table["state"] == "free" and table["min_party"] <= party_size <= table["max_party"]
    ]
    if not fits:
        reason = "night_closed" if night.is_closed else "sold_out"
        turnaways.record_turnaway(
            session,
            venue.tenant_id,
            venue.id,
            reason=reason,
            business_date=day,
            party_size=party_size,
            channel="online",
            at=now,
        )
    return {"date": day, "party_size": party_size, "sitting": floor["sitting"], "tables": fits}


# The steps of a table's price in the guest's language (English: explain's own words).
QUOTE_WORDS = {
    "base": _g("{tier} table minimum spend"),
    "floor": _g("Raised to the lowest {tier} minimum"),
    "ceiling": _g("Capped at the highest {tier} minimum"),
    "rounding": _g("Rounded"),
    "non_negative": _g("Never below zero"),
}
TABLE_BASE = _g("Table {label} minimum spend")


def _quote_in(lang: str, quote: dict[str, Any]) -> dict[str, Any]:
    tier = languages.gettext(lang, str(quote["tier"]).replace("_", " ").capitalize())
    lines = []
    for line in quote["lines"]:
        kind, label = line["kind"], line["label"]
        if kind == "base" and label == f"Table {quote['label']} minimum spend":
            label = languages.gettext(lang, TABLE_BASE).format(label=quote["label"])
        elif kind in QUOTE_WORDS:  # a manager's adjustments keep the words they were given
            label = languages.gettext(lang, QUOTE_WORDS[kind]).format(tier=tier)
        lines.append({**line, "label": label})
    return {**quote, "lines": lines}


@router.get("/nights/{day}/tables/{table_id}/quote")
async def table_quote(
    request: Request,
    venue: PublicVenue,
    session: SessionDep,
    now: NowDep,
    day: Day,
    table_id: uuid.UUID,
    sitting: Annotated[uuid.UUID | None, Query()] = None,
) -> dict[str, Any]:
    """The table's minimum and deposit now, with every step that produced them."""
    quote = await explain.table_quote(session, venue, day, table_id, sitting, now)
    lang = languages.of_request(request)
    return quote if lang == i18n.SOURCE else _quote_in(lang, quote)


@router.post(
    "/holds",
    status_code=201,
    response_model=HoldOut,
    responses={409: {"description": "table_unavailable and other conflicts"}},
)
async def place_hold(
    request: Request,
    slug: Annotated[str, Path(max_length=80)],
    session: SessionDep,
    now: NowDep,
    body: HoldIn,
) -> dict[str, Any]:
    """Hold tables for a few minutes while the guest enters their details."""
    if body.website:  # honeypot: people never see this field, form-filling bots do
        raise InvalidRequest("website", "leave this field empty")
    if not body.table_ids or body.starts_at is not None:
        return await _party_hold(request, slug, session, now, body)
    asked = [claim.Spot(slug, t, body.date, body.sitting_id) for t in body.table_ids]
    try:
        # Of this process's requests for one table, one at a time asks the database; one
        # that waited is refused without it if the one in front found the table taken.
        since = await claim.take_turn(session, asked)
        if since is not None:
            _refuse_if_known(request, asked, body, now, since)
        venue = await venues.venue_by_slug(session, slug)
        if venue.mode == "restaurant":
            return await _party_hold(request, slug, session, now, body)
        host_id = await hosts.host_id_by_code(session, venue, body.host_code)
        try:
            hold = await booking.place_guest_hold(session, venue, body.request(host_id), GUEST, now)
        except DomainError as exc:
            metrics.refused("hold", exc.code)
            raise
        metrics.HOLDS_PLACED.inc()
        # The guest's language, kept for their mail (None: the venue's default).
        hold.reservation.language = languages.of_guest(request)
        out = await reservation_out(session, venue, hold.reservation, hold.tables, body.date)
        return {"reservation": out, "token": hold.token}
    finally:
        if not session.in_transaction():  # else the transaction's end hands the turn on
            claim.end_turn(session)


async def _party_hold(
    request: Request, slug: str, session: AsyncSession, now: datetime, body: HoldIn
) -> dict[str, Any]:
    """A restaurant's hold: a party at a start time, seated by the venue (or at the
    tables the guest chose, where the venue lets them)."""
    venue = await venues.venue_by_slug(session, slug)
    if venue.mode != "restaurant":
        raise InvalidRequest("table_ids", "choose at least one table")
    if body.table_ids and not (await venues.rules_of(session, venue)).guests_choose_tables:
        raise InvalidRequest("table_ids", "this restaurant chooses the table for your party")
    host_id = await hosts.host_id_by_code(session, venue, body.host_code)
    try:
        hold = await dining.place_party_hold(
            session, venue, body.party_request(host_id), GUEST, now
        )
    except DomainError as exc:
        metrics.refused("hold", exc.code)
        raise
    metrics.HOLDS_PLACED.inc()
    hold.reservation.language = languages.of_guest(request)
    out = await reservation_out(session, venue, hold.reservation, hold.tables, body.date)
    return {"reservation": out, "token": hold.token}


@router.get(
    "/nights/{day}/sittings",
    response_model=SittingsOut,
    responses={404: {"description": "no such venue, or no night on that date"}},
)
async def list_sittings(
    venue: PublicVenue,
    session: SessionDep,
    now: NowDep,
    day: Day,
    party_size: Annotated[int, Query(ge=1, le=500)],
) -> dict[str, Any]:
    """A restaurant's start times for a party: bookable, covers and tables left, or why not."""
    night = await venues.night_on(session, venue, day)
    rules = await venues.rules_of(session, venue)
    floor = await capacity.read_floor(session, venue, night, now)
    options = capacity.options(floor, venue, rules, party_size, now)
    too_large = any(o.reason == "party_too_large" for o in options)
    return {
        "date": day,
        "party_size": party_size,
        "call_us": (venue.phone or "") if too_large else None,
        "starts": [
            {
                "sitting_id": o.sitting.id,
                "sitting": o.sitting.name,
                "starts_at": o.starts_at,
                "ends_at": o.ends_at,
                "local_time": o.local_time,
                "bookable": o.bookable,
                "covers_left": o.covers_left,
                "tables_left": o.tables_left,
                "reason": o.reason,
            }
            for o in options
        ],
    }


def _refuse_if_known(
    request: Request, asked: list[claim.Spot], body: HoldIn, now: datetime, since: float
) -> None:
    marker = claim.known_taken(asked, now, since)
    if marker is None:
        return
    metrics.refused("hold", TableUnavailable.code, known=True)
    request.app.state.turnaways.add(
        marker.tenant_id,
        marker.venue_id,
        reason=TableUnavailable.code,
        business_date=body.date,
        party_size=body.party_size,
        channel="online",
        at=now,
    )
    raise TableUnavailable("just taken", table_ids=[str(t) for t in body.table_ids])


@router.post(
    "/holds/{hold_id}/complete",
    response_model=ReservationOut,
    responses={409: {"description": "guest_daily_cap (the hold is released) and other conflicts"}},
)
async def complete_hold(
    request: Request,
    venue: PublicVenue,
    session: SessionDep,
    now: NowDep,
    hold_id: uuid.UUID,
    body: CompleteIn,
) -> dict[str, Any]:
    """Turn a hold into a booking with the guest's details (confirmed, or awaiting deposit)."""
    res, rules = await booking.by_token_with_rules(session, venue, body.token)
    if res.id != hold_id:
        raise NotFound("no such reservation")
    who = identify(body.guest.name, body.guest.email, body.guest.phone, venue.country)
    try:
        done = await booking.complete_hold(
            session, venue, res, who, GUEST, now, notes=body.notes, rules=rules
        )
    except GuestDailyCap as exc:
        await _release_refused(request, session, venue, body.token, now)
        exc.message += ". The table you chose has been released for other guests."
        exc.extra["released"] = True
        raise
    metrics.BOOKINGS_COMPLETED.labels(done.reservation.status).inc()
    return await reservation_out(
        session, venue, done.reservation, done.tables, done.business_date, done.guest
    )


@router.post("/holds/{hold_id}/release", response_model=ReservationOut)
async def release_hold(
    venue: PublicVenue, session: SessionDep, now: NowDep, hold_id: uuid.UUID, body: TokenIn
) -> dict[str, Any]:
    """Give the table back before the hold runs out."""
    res = await _own(session, venue, hold_id, body.token)
    res = await booking.cancel(session, res, GUEST, now, "released by guest")
    return await reservation_out(session, venue, res)


@router.get("/reservations/{token}", response_model=ReservationOut)
async def lookup(venue: PublicVenue, session: SessionDep, token: str) -> dict[str, Any]:
    """A guest's reservation, found by the token from their confirmation."""
    res = await links.reservation_by_token(session, venue, token)
    return await reservation_out(session, venue, res)


@router.post("/reservations/{token}/cancel", response_model=CancelOut)
async def cancel(
    request: Request,
    venue: PublicVenue,
    session: SessionDep,
    now: NowDep,
    token: str,
    body: CancelIn | None = None,
) -> dict[str, Any]:
    """Cancel by the guest's token; cancelling twice is harmless. Inside the venue's
    cancellation cutoff: 409 ``cancel_cutoff`` with the venue's phone number. A paid
    deposit is refunded by the venue's policy (``refund``)."""
    res = await links.reservation_by_token(session, venue, token)
    await links.check_guest_cancel(session, venue, res, now)
    reason = (body.reason if body else None) or "cancelled by guest"
    res = await booking.cancel(session, res, GUEST, now, reason)
    out = await reservation_out(session, venue, res)
    return {**out, "refund": await refund_on_cancel(request, session, venue, res, GUEST, now)}


async def reservation_out(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    tables: list[VenueTable] | None = None,
    day: date | None = None,
    guest: Guest | None = None,
) -> dict[str, Any]:
    """The guest's view; pass the tables, date and guest when the handler has them."""
    if tables is None:
        tables = await booking.tables_of(session, res)
    if day is None:
        day = (await venues.night_on_id(session, venue, res.night_id)).business_date
    if guest is None and res.guest_id:
        guest = await records.guest_by_id(session, res.guest_id)
    tables = sorted(tables, key=lambda t: t.label)
    return {
        "id": res.id,
        "status": res.status,
        "date": day,
        "party_size": res.party_size,
        "tables": [t.label for t in tables],
        "table_ids": [t.id for t in tables],
        "starts_at": res.starts_at,
        "ends_at": res.ends_at,
        "starts_local": floormap.local(res.starts_at, venue),
        "ends_local": floormap.local(res.ends_at, venue),
        "expires_at": res.expires_at,
        "currency": res.currency,
        "minimum": res.quoted_minimum,
        "deposit": res.quoted_deposit,
        "deposit_paid": await _deposit_paid(session, res),
        "quote": res.quote,
        "guest_name": guest.name if guest else None,
    }


async def _deposit_paid(session: AsyncSession, res: Reservation) -> int:
    """The deposit money received and kept for this booking (a refunded payment is not)."""
    if res.quoted_deposit <= 0:
        return 0
    payments = await ledger.payments_of(session, res)
    return sum(p.amount for p in payments if p.outcome in ("confirmed", "reseated"))


async def _own(session: AsyncSession, venue: Venue, hold_id: uuid.UUID, token: str) -> Reservation:
    res = await booking.by_token(session, venue, token)
    if res.id != hold_id:
        raise NotFound("no such reservation")
    return res


async def _release_refused(
    request: Request, session: AsyncSession, venue: Venue, token: str, now: Any
) -> None:
    """Roll the refused completion back, then release its hold alone and commit, so the
    table goes back on the floor now rather than when the hold runs out."""
    await session.rollback()
    await session.refresh(venue)  # the rollback expired it
    await booking.release_refused(session, venue, token, GUEST, now)
    await session.commit()
    request.app.state.floor_cache.invalidate()
    request.app.state.relay.wake()
