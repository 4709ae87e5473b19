"""Commissions: the rules that make them, the dashboard and CSV of the ledger (the live
feed of new ledger lines is ``/ws/staff/commissions`` in web/live.py).

Rules: owner/manager change, finance reads too. Money is integer minor units with the
venue's ``currency``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from venue.hosts import commissions
from venue.reservations import operations

from ..deps import Manager, ManagerVenue, MoneyVenue, NowDep, SessionDep
from ..schemas import Amount, Day, Strict

router = APIRouter(prefix="/api/v1/staff/venues/{slug}", tags=["staff: hosts, guests, money"])


By = Annotated[
    Literal["posted", "night"],
    Query(
        description="which date from/to filter by: 'posted', the day each line was posted "
        "(a booking's commission the day it is made, its settlement the night it closes; "
        "the default), or 'night', the date of the reservation's night"
    ),
]


class CSVResponse(Response):
    media_type = "text/csv"  # what OpenAPI documents for the CSV exports


def csv_download(body: str, name: str) -> Response:
    return CSVResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


class RuleIn(Strict):
    basis: Literal["minimum_pct", "spend_pct", "flat_reservation", "flat_guest"]
    value: Amount = Field(description="basis points for *_pct, minor units for flat_*")
    host_id: uuid.UUID | None = Field(default=None, description="null: every host")
    tier: str | None = Field(default=None, max_length=40, description="null: every tier")


@router.get("/commission-rules")
async def list_rules(venue: MoneyVenue, session: SessionDep) -> list[dict[str, Any]]:
    """Active rules; the most specific applies (host+tier, host, tier, venue), else the
    host's own ``commission_bp`` of the minimum."""
    return [commissions.rule_dict(r) for r in await commissions.rules_of(session, venue)]


@router.post("/commission-rules", status_code=201)
async def add_rule(
    body: RuleIn, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Add a rule (it retires the active rule of the same host and tier)."""
    rule = await commissions.add_rule(session, venue, **body.model_dump(), actor=who.actor, now=now)
    return commissions.rule_dict(rule)


@router.delete("/commission-rules/{rule_id}", status_code=204)
async def retire_rule(
    rule_id: uuid.UUID, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> None:
    """Retire a rule (lines already written keep it)."""
    rule = await commissions.rule_in(session, venue, rule_id)
    await commissions.retire_rule(session, venue, rule, who.actor, now)


@router.get("/commissions")
async def commission_dashboard(
    venue: MoneyVenue,
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    host_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    by: By = "posted",
) -> dict[str, Any]:
    """Totals (net and by kind) overall and per host for the period, and the latest lines."""
    if host_id is not None:
        await operations.host_by_id(session, venue.tenant_id, host_id)
    period = commissions.Period(start, end, by)
    return await commissions.dashboard(session, venue, period, host_id, limit=limit)


@router.get("/commissions.csv", response_class=CSVResponse)
async def commission_csv(
    venue: MoneyVenue,
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    host_id: uuid.UUID | None = None,
    by: By = "posted",
) -> Response:
    """Every ledger line of the period (and host) as CSV."""
    if host_id is not None:
        await operations.host_by_id(session, venue.tenant_id, host_id)
    body = await commissions.csv_export(session, venue, commissions.Period(start, end, by), host_id)
    return csv_download(body, f"commissions-{venue.slug}.csv")
