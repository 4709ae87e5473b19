"""The guest's reschedule, by their token: price a move, then make it.

The domain is venue/reservations/reschedule.py; this module reads the body, calls it,
and settles a lower deposit by the refund policy after the commit (Stripe is never
called inside a transaction). A higher deposit leaves the booking ``pending_payment``
and the guest pays the top-up through the existing checkout route.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from payments import refunds, webhooks
from venue.core.actor import GUEST
from venue.floor import floormap
from venue.models import Refund
from venue.notifications import links
from venue.reservations import reschedule

from ..deps import NowDep, PublicVenue, SessionDep
from ..schemas import Amount, Day, ReservationOut, Strict
from .booking import reservation_out
from .payments import RefundOut, get_gateway

router = APIRouter(prefix="/api/v1/venues/{slug}/reservations/{token}", tags=["public"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such reservation"},
    409: {
        "description": "table_unavailable, reschedule_cutoff, booking_cutoff, "
        "booking_not_open, night_closed, invalid_transition, guest_daily_cap, "
        "party_size_not_allowed, tables_not_joinable, table_not_priced, reservation_changed"
    },
    422: {"description": "unknown date, sitting or table, or the booking as it is"},
}


class RescheduleIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"date": "2026-11-27", "table_ids": ["6f1c1a7e-0000-4000-8000-000000000000"]}
            ]
        },
    )

    date: Day
    table_ids: list[uuid.UUID] = Field(min_length=1, max_length=8)
    sitting_id: uuid.UUID | None = None
    version: Amount | None = Field(
        default=None, description="the reservation's version the guest saw (409 if it moved)"
    )

    def change(self) -> reschedule.Change:
        return reschedule.Change(self.date, self.table_ids, self.sitting_id)


class SettlementOut(BaseModel):
    currency: str
    minimum_before: int
    minimum_after: int
    minimum_difference: int
    deposit_before: int
    deposit_after: int
    deposit_difference: int
    top_up: int = Field(description="still to pay through Checkout, in minor units")
    refund_due: int = Field(description="the lower deposit's difference, before the policy")


class PreviewOut(BaseModel):
    date: Day
    sitting_id: uuid.UUID
    starts_local: str
    ends_local: str
    tables: list[str]
    settlement: SettlementOut
    refund: RefundOut | None = Field(
        default=None, description="what the refund policy gives back of a lower deposit"
    )


class RescheduledOut(ReservationOut):
    settlement: SettlementOut
    refund: RefundOut | None = None


@router.post("/reschedule/preview", response_model=PreviewOut, responses=PROBLEMS)
async def preview(
    venue: PublicVenue, session: SessionDep, now: NowDep, token: str, body: RescheduleIn
) -> dict[str, Any]:
    """The new night, sitting and tables priced now, and the money difference (no change)."""
    res = await links.reservation_by_token(session, venue, token)
    p = await reschedule.plan(session, venue, res, body.change(), now)
    s = p.settlement
    refund = await refunds.for_reschedule(
        session, venue, res, s.refund_due, res.starts_at, GUEST, now, dry_run=True
    )
    return {
        "date": p.night.business_date,
        "sitting_id": p.sitting.id,
        "starts_local": floormap.local(p.sitting.starts_at, venue),
        "ends_local": floormap.local(p.sitting.ends_at, venue),
        "tables": sorted(t.label for t in p.tables),
        "settlement": s.view(),
        "refund": _refund_view(refund, "estimate"),
    }


@router.post("/reschedule", response_model=RescheduledOut, responses=PROBLEMS)
async def make(
    request: Request,
    venue: PublicVenue,
    session: SessionDep,
    now: NowDep,
    token: str,
    body: RescheduleIn,
) -> dict[str, Any]:
    """Move the booking in one step: the new tables claimed and the old released together.
    A higher deposit waits for the top-up (``pending_payment``, pay through ``checkout``);
    a lower one is refunded by the venue's policy (``refund``)."""
    res = await links.reservation_by_token(session, venue, token)
    done = await reschedule.reschedule(
        session, venue, res, body.change(), GUEST, now, version=body.version
    )
    out = await reservation_out(session, venue, done.reservation, done.tables, done.business_date)
    decision = await refunds.for_reschedule(
        session, venue, res, done.settlement.refund_due, done.starts_before, GUEST, now
    )
    out = {**out, "settlement": done.settlement.view(), "refund": None}
    if decision is None or not decision.refund_ids:
        return {**out, "refund": _refund_view(decision, "none")}
    await session.commit()  # the refund rows and their keys exist before Stripe is asked
    followup = webhooks.Followup(decision.refund_ids, [])
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    await webhooks.run_followup(sessions, get_gateway(request), followup, now)
    rows = [await session.get(Refund, i, populate_existing=True) for i in decision.refund_ids]
    statuses = {r.status for r in rows if r is not None}
    decision.status = next(
        (s for s in ("failed", "pending", "requires_action") if s in statuses),
        statuses.pop() if statuses else "none",
    )
    return {**out, "refund": decision.view()}


def _refund_view(decision: refunds.CancellationRefund | None, status: str) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {**decision.view(), "status": status if not decision.refund_ids else decision.status}
