"""Staff reservations: search, details, tonight's service steps (seat, complete,
no-show), cancel with a refund by policy, move tables, and phone or walk-in bookings.

The tenant is the signed-in staff member's; a venue slug or reservation id of another
tenant is 404. Everyone but hosts reads; floor staff and managers act.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from venue.dining import booking as dining
from venue.dining import staff as dining_staff
from venue.models import Status, Venue
from venue.reservations import operations

from ..deps import Floor, FloorVenue, NowDep, ReaderVenue, SessionDep, Staff
from ..schemas import INT_MAX, Amount, Day, StaffBookingIn, Strict
from .payments import refund_on_cancel

router = APIRouter(prefix="/api/v1/staff/venues/{slug}", tags=["staff: console"])


@router.get("/reservations")
async def search_reservations(
    venue: ReaderVenue,
    session: SessionDep,
    day: Annotated[Day | None, Query(alias="date")] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100, description="guest name/email/phone")] = None,
    host_id: uuid.UUID | None = None,
    page: Annotated[int, Query(ge=1, le=INT_MAX)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Search by night, status (repeatable), guest and host; paginated."""
    if host_id is not None:
        await operations.host_by_id(session, venue.tenant_id, host_id)
    items, total = await operations.search(
        session,
        venue,
        operations.Search(
            day=day,
            statuses=tuple(s.value for s in status or ()),
            text=q,
            host_id=host_id,
            page=page,
            per_page=per_page,
        ),
    )
    return {"items": items, "total": total, "page": page, "per_page": per_page}


@router.get("/reservations/{res_id}")
async def reservation_details(
    res_id: uuid.UUID, venue: ReaderVenue, session: SessionDep
) -> dict[str, Any]:
    """Contact, requests, tables, money, payments and the full history."""
    res = await operations.reservation_of(session, venue, res_id)
    return await operations.details(session, venue, res)


class VersionIn(Strict):
    version: Amount | None = Field(default=None, description="409 reservation_changed if stale")


class StaffCancelIn(VersionIn):
    reason: str = Field(min_length=1, max_length=300)


class MoveIn(VersionIn):
    table_ids: list[uuid.UUID] = Field(min_length=1, max_length=8)


async def _lifecycle(
    to: Status,
    res_id: uuid.UUID,
    who: Staff,
    venue: Venue,
    session: AsyncSession,
    now: datetime,
    body: VersionIn | None,
) -> dict[str, Any]:
    """One step of tonight's service under the version the staff member saw."""
    res = await operations.reservation_of(session, venue, res_id)
    version = body.version if body else None
    await operations.advance(session, venue, res, to, who.actor, now, version)
    return await operations.details(session, venue, res)


@router.post("/reservations/{res_id}/seat")
async def seat(
    res_id: uuid.UUID,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
    body: VersionIn | None = None,
) -> dict[str, Any]:
    """confirmed -> seated."""
    return await _lifecycle(Status.SEATED, res_id, who, venue, session, now, body)


@router.post("/reservations/{res_id}/complete")
async def complete(
    res_id: uuid.UUID,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
    body: VersionIn | None = None,
) -> dict[str, Any]:
    """seated -> completed (the table is free again)."""
    return await _lifecycle(Status.COMPLETED, res_id, who, venue, session, now, body)


@router.post("/reservations/{res_id}/no-show")
async def no_show(
    res_id: uuid.UUID,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
    body: VersionIn | None = None,
) -> dict[str, Any]:
    """confirmed -> no_show."""
    return await _lifecycle(Status.NO_SHOW, res_id, who, venue, session, now, body)


@router.post("/reservations/{res_id}/cancel")
async def cancel(
    request: Request,
    res_id: uuid.UUID,
    body: StaffCancelIn,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Cancel with a reason; the guest is told and refunded by the venue's policy."""
    res = await operations.reservation_of(session, venue, res_id)
    await operations.cancel(session, res, who.actor, now, body.reason, body.version)
    refund = await refund_on_cancel(request, session, venue, res, who.actor, now)
    return {**await operations.details(session, venue, res), "refund": refund}


@router.post("/reservations/{res_id}/move")
async def move(
    res_id: uuid.UUID, body: MoveIn, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Move to other table(s) atomically; several tables join them for a large party."""
    res = await operations.reservation_of(session, venue, res_id)
    await operations.move(session, venue, res, body.table_ids, who.actor, now, body.version)
    return await operations.details(session, venue, res)


@router.post("/bookings", status_code=201)
async def staff_booking(
    body: StaffBookingIn, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """A phone or walk-in booking: confirmed at once, past the online cutoff and the
    per-guest cap, attributed to you."""
    if venue.mode == "restaurant":  # the party's own turn time, on the tables named
        return await _restaurant_booking(body, who, venue, session, now)
    req = body.staff_request()
    res = await operations.book_for_guest(session, venue, req, who.actor, now)
    return await operations.details(session, venue, res)


async def _restaurant_booking(
    body: StaffBookingIn, who: Staff, venue: Venue, session: AsyncSession, now: datetime
) -> dict[str, Any]:
    """A console booking on a chosen table at a restaurant: the sitting's first start
    for the party's turn time (the dining API books any start time)."""
    if body.host_id is not None:
        await operations.host_by_id(session, venue.tenant_id, body.host_id)
    req = dining.PartyRequest(
        business_date=body.date,
        party_size=body.party_size,
        sitting_id=body.sitting_id,
        table_ids=tuple(body.table_ids),
        channel=body.channel,
        host_id=body.host_id,
        bypass_rules=True,
        notes=body.notes,
    )
    guest = body.guest
    who_ = operations.staff_identity(venue, body.channel, guest.name, guest.email, guest.phone)
    res = await dining_staff.book_party(session, venue, req, who_, body.seat_now, who.actor, now)
    return await operations.details(session, venue, res)
