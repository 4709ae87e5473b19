"""Hosts, guest profiles, commissions and finance: the JSON API and the live dashboard.

* ``/api/v1/host/...``: the signed-in host (role ``host``) and only their own
  reservations and commission lines; anything else is 404. Never venue totals.
* ``/api/v1/staff/venues/{slug}/...``: staff. Commission rules, host management and
  reassignment: owner/manager. Closing a table with its spend: floor and up. Guest
  profiles: owner/manager/floor (merge and erase: owner/manager). Commission dashboard
  and finance: owner/manager/finance (finance reads only; there is nothing to write).
* ``/ws/staff/commissions``: new ledger lines pushed live (see ``commission_socket``).

Money is integer minor units with the venue's ``currency``. Errors are problem+json.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from pydantic import ConfigDict, Field
from sqlalchemy import select

from realtime.events import Message, Resync
from venue.core import channels
from venue.core.actor import Actor
from venue.core.clock import to_local
from venue.core.errors import InvalidRequest
from venue.guests import profiles
from venue.hosts import commissions, hosts
from venue.models import Host, Reservation, Status, Venue
from venue.money import finance
from venue.reservations import operations
from venue.staff import sessions

from .deps import NowDep, SessionDep
from .schemas import INT_MAX, Amount, Day, GuestIn, Strict
from .staff_auth import COOKIE, Staff, require
from .staff_pricing import own_venue

V = "/api/v1/staff/venues/{slug}"
router = APIRouter(tags=["staff: hosts, guests, money"])
host_router = APIRouter(prefix="/api/v1/host", tags=["host"])
ws_router = APIRouter()

HostUser = Annotated[Staff, require("host")]
Manager = Annotated[Staff, require("owner", "manager")]
Floor = Annotated[Staff, require("owner", "manager", "floor")]
Money = Annotated[Staff, require("owner", "manager", "finance")]
MONEY_ROLES = ("owner", "manager", "finance")


class CSVResponse(Response):
    media_type = "text/csv"  # what OpenAPI documents for the CSV exports


Body = Strict  # request bodies refuse unknown fields


By = Annotated[
    Literal["posted", "night"],
    Query(
        description="which date from/to filter by: 'posted', the day each line was posted "
        "(a booking's commission the day it is made, its settlement the night it closes; "
        "the default), or 'night', the date of the reservation's night"
    ),
]


def actor(who: Staff) -> Actor:
    role = "host" if who.user.role == "host" else "staff"
    return Actor(role, str(who.user.id))


def business_day(venue: Venue, now: Any) -> date:
    """The night in progress: before 06:00 local it is still last night."""
    return to_local(now - timedelta(hours=6), venue.timezone).date()


# --- host: self-service ----------------------------------------------------------------


async def _host_venue(session: SessionDep, who: Staff, slug: str) -> tuple[Host, Venue]:
    return await hosts.host_of_user(session, who.user), await own_venue(session, who, slug)


@host_router.get("/me")
async def host_me(who: HostUser, session: SessionDep) -> dict[str, Any]:
    """The host, their code and a booking link per venue, and their CSRF token."""
    host = await hosts.host_of_user(session, who.user)
    rows = await session.scalars(
        select(Venue).where(Venue.tenant_id == who.user.tenant_id).order_by(Venue.name)
    )
    return {
        **hosts.host_dict(host, list(rows)),
        "user": {"id": str(who.user.id), "name": who.user.name, "email": who.user.email},
        "csrf_token": who.session.csrf_token,
    }


class HostBookingIn(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-28",
                    "table_ids": ["6f1c1a7e-0000-4000-8000-000000000000"],
                    "party_size": 6,
                    "guest": {"name": "Ada Lovelace", "phone": "+44 7700 900123"},
                    "notes": "Birthday, bottle on arrival",
                }
            ]
        },
    )

    date: Day
    table_ids: list[uuid.UUID] = Field(min_length=1, max_length=8)
    party_size: int = Field(ge=1, le=500)
    guest: GuestIn
    sitting_id: uuid.UUID | None = None
    notes: str | None = Field(default=None, max_length=1000)


@host_router.post("/venues/{slug}/bookings", status_code=201)
async def host_booking(
    slug: str, body: HostBookingIn, who: HostUser, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Book a table for a client: confirmed at once, attributed to you (channel host)."""
    host, venue = await _host_venue(session, who, slug)
    res = await hosts.book_for_client(
        session,
        venue,
        host,
        operations.StaffBooking(
            business_date=body.date,
            table_ids=body.table_ids,
            party_size=body.party_size,
            channel="host",
            guest_name=body.guest.name,
            guest_email=body.guest.email,
            guest_phone=body.guest.phone,
            sitting_id=body.sitting_id,
            notes=body.notes,
        ),
        actor(who),
        now,
    )
    return await _host_reservation(session, venue, res)


async def _host_reservation(session: SessionDep, venue: Venue, res: Reservation) -> dict[str, Any]:
    full = await operations.details(session, venue, res)
    # A host sees their client and the booking, not the staff's audit trail or payments.
    keep = [
        *("id", "status", "date", "starts_at", "ends_at", "party_size", "tables", "guest"),
        *("notes", "channel", "currency", "minimum", "deposit", "host_id", "created_at"),
        "cancel_reason",
    ]
    return {k: full.get(k) for k in keep}


@host_router.get("/venues/{slug}/reservations")
async def host_reservations(
    slug: str,
    who: HostUser,
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=INT_MAX)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Your reservations at the venue, newest night first."""
    host, venue = await _host_venue(session, who, slug)
    q = hosts.HostSearch(start, end, tuple(s.value for s in status or ()), page, per_page)
    items, total = await hosts.reservations_of(session, venue, host, q)
    return {"items": items, "total": total, "page": page, "per_page": per_page}


@host_router.get("/venues/{slug}/reservations/{res_id}")
async def host_reservation(
    slug: str, res_id: uuid.UUID, who: HostUser, session: SessionDep
) -> dict[str, Any]:
    """One of your reservations (another host's is 404)."""
    host, venue = await _host_venue(session, who, slug)
    res = await hosts.own_reservation(session, venue, host, res_id)
    out = await _host_reservation(session, venue, res)
    lines = await commissions.dashboard(
        session, venue, commissions.Period(), host.id, reservation_id=res.id
    )
    return {**out, "commission": lines["totals"]["net"], "commission_lines": lines["entries"]}


@host_router.get("/venues/{slug}/commissions")
async def host_commissions(
    slug: str,
    who: HostUser,
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    by: By = "posted",
) -> dict[str, Any]:
    """Your commission: totals by kind and your latest ledger lines for the period."""
    host, venue = await _host_venue(session, who, slug)
    out = await commissions.dashboard(session, venue, commissions.Period(start, end, by), host.id)
    return {k: v for k, v in out.items() if k != "hosts"}


@host_router.get("/venues/{slug}/commissions.csv", response_class=CSVResponse)
async def host_commissions_csv(
    slug: str,
    who: HostUser,
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    by: By = "posted",
) -> Response:
    """Your ledger lines as CSV."""
    host, venue = await _host_venue(session, who, slug)
    body = await commissions.csv_export(session, venue, commissions.Period(start, end, by), host.id)
    return _csv(body, f"commissions-{host.code}.csv")


def _csv(body: str, name: str) -> Response:
    return CSVResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- staff: hosts, attribution, closing with spend ----------------------------------------


class HostIn(Body):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    code: str = Field(min_length=3, max_length=20, description="letters/digits, unique")
    commission_bp: int = Field(default=1000, ge=0, le=10000)


@router.post(V + "/hosts", status_code=201)
async def create_host(
    slug: str, body: HostIn, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Create a host (then a ``host`` user with its ``host_id`` through /staff/users)."""
    venue = await own_venue(session, who, slug)
    host = await hosts.create_host(
        session,
        venue.tenant_id,
        name=body.name,
        email=body.email,
        code=body.code,
        commission_bp=body.commission_bp,
        actor=actor(who),
        now=now,
    )
    return hosts.host_dict(host, [venue])


@router.get(V + "/hosts/{host_id}")
async def host_details(
    slug: str, host_id: uuid.UUID, who: Manager, session: SessionDep
) -> dict[str, Any]:
    """A host with their booking link."""
    venue = await own_venue(session, who, slug)
    return hosts.host_dict(await hosts.host_in(session, venue.tenant_id, host_id), [venue])


class AttributeIn(Body):
    host_id: uuid.UUID


@router.post(V + "/reservations/{res_id}/host")
async def attribute(
    slug: str, res_id: uuid.UUID, body: AttributeIn, who: Floor, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Attribute an unattributed reservation to a host; once set, 409 attribution_locked
    (the attempt is audit-logged). Changing it is a manager's reassignment."""
    venue = await own_venue(session, who, slug)
    res = await operations.reservation_of(session, venue, res_id)
    try:
        await hosts.set_attribution(session, res, body.host_id, actor(who), now)
    except hosts.AttributionLocked:
        tenant_id, current, me = res.tenant_id, res.host_id, actor(who)
        await session.rollback()
        hosts.refused_attempt(session, tenant_id, res_id, current, body.host_id, me, now)
        await session.commit()
        raise
    return await _attribution(session, venue, res)


class ReassignIn(Body):
    host_id: uuid.UUID | None = Field(description="the new host; null: no host")
    reason: str = Field(min_length=3, max_length=300)


@router.post(V + "/reservations/{res_id}/reassign-host")
async def reassign_host(
    slug: str, res_id: uuid.UUID, body: ReassignIn, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Correct a reservation's host, with a reason: audited, kept in history; the
    commission moves from the old host to the new one."""
    venue = await own_venue(session, who, slug)
    res = await operations.reservation_of(session, venue, res_id)
    await hosts.reassign(session, res, body.host_id, body.reason, actor(who), now)
    return await _attribution(session, venue, res)


@router.get(V + "/reservations/{res_id}/attribution")
async def attribution(
    slug: str, res_id: uuid.UUID, who: Floor, session: SessionDep
) -> dict[str, Any]:
    """The reservation's host, channel and reassignment history."""
    venue = await own_venue(session, who, slug)
    res = await operations.reservation_of(session, venue, res_id)
    return await _attribution(session, venue, res)


async def _attribution(session: SessionDep, venue: Venue, res: Reservation) -> dict[str, Any]:
    await session.flush()
    return {
        "reservation_id": str(res.id),
        "host_id": str(res.host_id) if res.host_id else None,
        "channel": res.channel,
        "version": res.version,
        "history": await hosts.history(session, res),
    }


class CloseIn(Body):
    spend: Amount = Field(description="actual spend, minor units")
    version: Amount | None = None


class SpendIn(Body):
    spend: Amount = Field(description="actual spend, minor units")


@router.post(V + "/reservations/{res_id}/close")
async def close_table(
    slug: str, res_id: uuid.UUID, body: CloseIn, who: Floor, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """seated -> completed with the actual spend; the host's commission settles on it."""
    venue = await own_venue(session, who, slug)
    res = await operations.reservation_of(session, venue, res_id)
    await hosts.close(session, venue, res, body.spend, actor(who), now, body.version)
    return {**await operations.details(session, venue, res), "spend": body.spend}


@router.post(V + "/reservations/{res_id}/spend")
async def record_spend(
    slug: str, res_id: uuid.UUID, body: SpendIn, who: Floor, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Enter the spend of a table closed without one (once; 409 spend_already_recorded)."""
    venue = await own_venue(session, who, slug)
    res = await operations.reservation_of(session, venue, res_id)
    await hosts.record_spend(session, res, body.spend, actor(who), now)
    return {**await operations.details(session, venue, res), "spend": body.spend}


# --- staff: commission rules and dashboard ------------------------------------------------


class RuleIn(Body):
    basis: Literal["minimum_pct", "spend_pct", "flat_reservation", "flat_guest"]
    value: Amount = Field(description="basis points for *_pct, minor units for flat_*")
    host_id: uuid.UUID | None = Field(default=None, description="null: every host")
    tier: str | None = Field(default=None, max_length=40, description="null: every tier")


@router.get(V + "/commission-rules")
async def list_rules(slug: str, who: Money, session: SessionDep) -> list[dict[str, Any]]:
    """Active rules; the most specific applies (host+tier, host, tier, venue), else the
    host's own ``commission_bp`` of the minimum."""
    venue = await own_venue(session, who, slug)
    return [commissions.rule_dict(r) for r in await commissions.rules_of(session, venue)]


@router.post(V + "/commission-rules", status_code=201)
async def add_rule(
    slug: str, body: RuleIn, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Add a rule (it retires the active rule of the same host and tier)."""
    venue = await own_venue(session, who, slug)
    rule = await commissions.add_rule(
        session, venue, **body.model_dump(), actor=actor(who), now=now
    )
    return commissions.rule_dict(rule)


@router.delete(V + "/commission-rules/{rule_id}", status_code=204)
async def retire_rule(
    slug: str, rule_id: uuid.UUID, who: Manager, session: SessionDep, now: NowDep
) -> None:
    """Retire a rule (lines already written keep it)."""
    venue = await own_venue(session, who, slug)
    rule = await commissions.rule_in(session, venue, rule_id)
    await commissions.retire_rule(session, venue, rule, actor(who), now)


@router.get(V + "/commissions")
async def commission_dashboard(
    slug: str,
    who: Money,
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    host_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    by: By = "posted",
) -> dict[str, Any]:
    """Totals (net and by kind) overall and per host for the period, and the latest lines."""
    venue = await own_venue(session, who, slug)
    if host_id is not None:
        await hosts.host_in(session, venue.tenant_id, host_id)
    period = commissions.Period(start, end, by)
    return await commissions.dashboard(session, venue, period, host_id, limit=limit)


@router.get(V + "/commissions.csv", response_class=CSVResponse)
async def commission_csv(
    slug: str,
    who: Money,
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    host_id: uuid.UUID | None = None,
    by: By = "posted",
) -> Response:
    """Every ledger line of the period (and host) as CSV."""
    venue = await own_venue(session, who, slug)
    if host_id is not None:
        await hosts.host_in(session, venue.tenant_id, host_id)
    body = await commissions.csv_export(session, venue, commissions.Period(start, end, by), host_id)
    return _csv(body, f"commissions-{venue.slug}.csv")


# --- staff: finance -------------------------------------------------------------------


@router.get(V + "/finance/tonight")
async def finance_tonight(
    slug: str,
    who: Money,
    session: SessionDep,
    now: NowDep,
    day: Annotated[Day | None, Query(alias="date")] = None,
) -> dict[str, Any]:
    """Guaranteed and expected revenue of a night (default tonight), by tier and host."""
    venue = await own_venue(session, who, slug)
    return await finance.tonight(session, venue, day or business_day(venue, now))


@router.get(V + "/finance/forecast")
async def finance_forecast(
    slug: str,
    who: Money,
    session: SessionDep,
    now: NowDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    days: Annotated[int, Query(ge=1, le=90)] = 30,
    weeks: Annotated[int, Query(ge=1, le=26)] = 8,
) -> dict[str, Any]:
    """The next nights: booked vs the same weekdays' pace, expected final minimums and
    turned-away demand, as chart series (one per metric, one point per night)."""
    venue = await own_venue(session, who, slug)
    first = start or business_day(venue, now)
    return await finance.forecast(session, venue, first, days, now, weeks=weeks)


# --- staff: guest profiles --------------------------------------------------------------


@router.get(V + "/guests")
async def search_guests(
    slug: str,
    who: Floor,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    """Guests by name, email or phone digits, with tags and visit counts."""
    venue = await own_venue(session, who, slug)
    return await profiles.search(session, venue.tenant_id, q, limit)


async def _guest(session: SessionDep, venue: Venue, guest_id: uuid.UUID) -> Any:
    return await profiles.guest_of(session, venue.tenant_id, guest_id)


@router.get(V + "/guests/{guest_id}")
async def guest_profile(
    slug: str, guest_id: uuid.UUID, who: Floor, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Visits, minimums and spend, no-shows, late cancellations, tags, notes, first host."""
    venue = await own_venue(session, who, slug)
    return await profiles.profile(session, venue, await _guest(session, venue, guest_id), now)


class GuestPatch(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    tags: list[Annotated[str, Field(max_length=40)]] | None = Field(default=None, max_length=20)
    notes: str | None = Field(default=None, max_length=2000)


@router.patch(V + "/guests/{guest_id}")
async def edit_guest(
    slug: str, guest_id: uuid.UUID, body: GuestPatch, who: Floor, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Edit contact details, tags (e.g. ["VIP"]) and notes; send only what changes."""
    venue = await own_venue(session, who, slug)
    guest = await _guest(session, venue, guest_id)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("name", "") is None or changes.get("tags", []) is None:
        raise InvalidRequest("body", "name and tags cannot be null")
    await profiles.edit(session, venue, guest, changes, actor(who), now)
    return await profiles.profile(session, venue, guest, now)


class MergeIn(Body):
    duplicate_id: uuid.UUID


@router.post(V + "/guests/{guest_id}/merge")
async def merge_guests(
    slug: str, guest_id: uuid.UUID, body: MergeIn, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Fold a duplicate into this guest: reservations move over; audited."""
    venue = await own_venue(session, who, slug)
    keep = await _guest(session, venue, guest_id)
    dup = await _guest(session, venue, body.duplicate_id)
    moved = await profiles.merge(session, keep, dup, actor(who), now)
    return {**await profiles.profile(session, venue, keep, now), "moved_reservations": moved}


@router.get(V + "/guests/{guest_id}/export")
async def export_guest(
    slug: str, guest_id: uuid.UUID, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Everything held about the guest (subject access request), as JSON."""
    venue = await own_venue(session, who, slug)
    return await profiles.export(session, venue, await _guest(session, venue, guest_id), now)


class EraseIn(Body):
    reason: str = Field(min_length=3, max_length=300)


@router.post(V + "/guests/{guest_id}/erase")
async def erase_guest(
    slug: str, guest_id: uuid.UUID, body: EraseIn, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Anonymise the guest on request; financial records stay, anonymised."""
    venue = await own_venue(session, who, slug)
    guest = await _guest(session, venue, guest_id)
    await profiles.erase(session, guest, body.reason, actor(who), now)
    return await profiles.profile(session, venue, guest, now)


# --- live commission dashboard ------------------------------------------------------------


@ws_router.websocket("/ws/staff/commissions")
async def commission_socket(websocket: WebSocket) -> None:
    """New ledger lines, live. Signed in by the staff cookie; owner/manager/finance get
    every line of their tenant, a host only their own.

    Server messages: ``{"type": "hello", "role", "host_id"}`` once; then
    ``{"type": "entries", "entries": [line, ...], "at"}`` (a line is as in
    ``GET .../commissions``); ``{"type": "resync"}`` when lines may have been missed
    (refetch the dashboard); ``{"type": "ping"}`` every 25 s. Close 4401: not signed in
    or wrong role; 4403: a cross-site Origin.
    """
    await websocket.accept()
    origin = websocket.headers.get("origin")
    host_header = websocket.headers.get("host", "")
    if origin and origin.split("://", 1)[-1] != host_header:
        await websocket.close(4403, "cross-site")
        return
    token = websocket.cookies.get(COOKIE)
    app = websocket.app
    async with app.state.sessions() as session:
        found = await sessions.resolve(session, token, app.state.clock()) if token else None
    user = found[0] if found else None
    if user is None or (
        user.role not in MONEY_ROLES and not (user.role == "host" and user.host_id)
    ):
        await websocket.close(4401, "sign in first")
        return
    only = str(user.host_id) if user.role == "host" else None
    await websocket.send_text(json.dumps({"type": "hello", "role": user.role, "host_id": only}))
    channel = channels.commissions_channel(user.tenant_id)
    async with app.state.broker.subscribe(channel) as sub:
        reader = asyncio.create_task(_drain(websocket))
        try:
            while not reader.done():
                try:
                    async with asyncio.timeout(25):
                        event = await sub.get()
                except TimeoutError:
                    await websocket.send_text('{"type":"ping"}')
                    continue
                if event is None:
                    break
                if isinstance(event, Resync):
                    await websocket.send_text('{"type":"resync"}')
                elif isinstance(event, Message):
                    text = _for(event.data, only)
                    if text is not None:
                        await websocket.send_text(text)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(BaseException):
                await reader


def _for(data: str, host_id: str | None) -> str | None:
    """The message as this socket may see it (a host: their own lines, or nothing)."""
    if host_id is None:
        return data
    message = json.loads(data)
    message["entries"] = [e for e in message.get("entries", []) if e["host_id"] == host_id]
    return json.dumps(message) if message["entries"] else None


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a close is noticed."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()
