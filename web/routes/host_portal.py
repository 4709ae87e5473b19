"""The host's own API (``/api/v1/host/...``): the signed-in host (role ``host``) sees
their code and links, books for their clients, and reads only their own reservations and
commission lines; anything else is 404. Never venue totals."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from venue.hosts import commissions, hosts
from venue.models import Reservation, Status, Venue
from venue.reservations import operations
from venue.setup import venues

from ..deps import CurrentHost, HostUser, HostVenue, NowDep, SessionDep
from ..schemas import INT_MAX, Day, HostBookingIn
from .commissions import By, CSVResponse, csv_download

router = APIRouter(prefix="/api/v1/host", tags=["host"])


@router.get("/me")
async def host_me(who: HostUser, host: CurrentHost, session: SessionDep) -> dict[str, Any]:
    """The host, their code and a booking link per venue, and their CSRF token."""
    rows = await venues.venues_of_tenant(session, who.user.tenant_id)
    return {
        **hosts.host_dict(host, rows),
        "user": {"id": str(who.user.id), "name": who.user.name, "email": who.user.email},
        "csrf_token": who.session.csrf_token,
    }


@router.post("/venues/{slug}/bookings", status_code=201)
async def host_booking(
    body: HostBookingIn,
    who: HostUser,
    host: CurrentHost,
    venue: HostVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Book a table for a client: confirmed at once, attributed to you (channel host)."""
    req = body.request("host")
    res = await hosts.book_for_client(session, venue, host, req, who.actor, now)
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


@router.get("/venues/{slug}/reservations")
async def host_reservations(
    host: CurrentHost,
    venue: HostVenue,
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=INT_MAX)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Your reservations at the venue, newest night first."""
    q = hosts.HostSearch(start, end, tuple(s.value for s in status or ()), page, per_page)
    items, total = await hosts.reservations_of(session, venue, host, q)
    return {"items": items, "total": total, "page": page, "per_page": per_page}


@router.get("/venues/{slug}/reservations/{res_id}")
async def host_reservation(
    res_id: uuid.UUID, host: CurrentHost, venue: HostVenue, session: SessionDep
) -> dict[str, Any]:
    """One of your reservations (another host's is 404)."""
    res = await hosts.own_reservation(session, venue, host, res_id)
    out = await _host_reservation(session, venue, res)
    lines = await commissions.dashboard(
        session, venue, commissions.Period(), host.id, reservation_id=res.id
    )
    return {**out, "commission": lines["totals"]["net"], "commission_lines": lines["entries"]}


@router.get("/venues/{slug}/commissions")
async def host_commissions(
    host: CurrentHost,
    venue: HostVenue,
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    by: By = "posted",
) -> dict[str, Any]:
    """Your commission: totals by kind and your latest ledger lines for the period."""
    out = await commissions.dashboard(session, venue, commissions.Period(start, end, by), host.id)
    return {k: v for k, v in out.items() if k != "hosts"}


@router.get("/venues/{slug}/commissions.csv", response_class=CSVResponse)
async def host_commissions_csv(
    host: CurrentHost,
    venue: HostVenue,
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    by: By = "posted",
) -> Response:
    """Your ledger lines as CSV."""
    body = await commissions.csv_export(session, venue, commissions.Period(start, end, by), host.id)
    return csv_download(body, f"commissions-{host.code}.csv")
