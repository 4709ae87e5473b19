"""Standing reservations (venue/reservations/series.py): preview a series (each date and
whether it can be honoured, with an alternative), create it, read it, cancel one
occurrence, this and the following ones, or all of it, each refunded by the policy.

Staff (floor staff and managers act, everyone but hosts reads) under
``/api/v1/staff/venues/{slug}``; a host for their own clients under
``/api/v1/host/venues/{slug}``, where the series is always theirs (attributed to them,
and another host's is 404).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.models import Host, Venue
from venue.reservations import series

from ..deps import (
    CurrentHost,
    Floor,
    FloorVenue,
    HostUser,
    HostVenue,
    NowDep,
    ReaderVenue,
    SessionDep,
)
from ..schemas import TABLE_EXAMPLE, Day, GuestIn, Strict
from .payments import refund_on_cancel_all

staff_router = APIRouter(prefix="/api/v1/staff/venues/{slug}/series", tags=["staff: series"])
host_router = APIRouter(prefix="/api/v1/host/venues/{slug}/series", tags=["host"])


class RuleIn(Strict):
    freq: Literal["weekly", "monthly"] = Field(
        description="weekly (every_n weeks), or monthly on the nth weekday"
    )
    every_n: int = Field(default=1, ge=1, le=4, description="every 1 to 4 weeks (or months)")
    weekday: int | None = Field(
        default=None, ge=0, le=6, description="0 = Monday; default: starts_on's weekday"
    )
    nth: Literal[1, 2, 3, 4, -1] | None = Field(
        default=None, description="monthly: the 1st to 4th, or -1 the last, weekday"
    )
    starts_on: Day
    occurrences: int | None = Field(default=None, ge=1, le=series.MAX_OCCURRENCES)
    until: Day | None = None

    def rule(self) -> series.Rule:
        return series.Rule(
            freq=self.freq,
            weekday=self.starts_on.weekday() if self.weekday is None else self.weekday,
            starts_on=self.starts_on,
            every_n=self.every_n,
            nth=self.nth,
            occurrences=self.occurrences,
            until=self.until,
        )


class AcceptIn(Strict):
    date: Day = Field(description="the rule date whose alternative you take")
    alternative_date: Day
    table_ids: list[uuid.UUID] = Field(min_length=1, max_length=8)


class HostSeriesIn(Strict):
    """A series for a client; ``accept`` takes alternatives a preview offered."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rule": {"freq": "weekly", "starts_on": "2026-12-03", "occurrences": 8},
                    "table_ids": [TABLE_EXAMPLE],
                    "party_size": 4,
                    "time": "21:00",
                    "guest": {"name": "Ada Lovelace", "phone": "+44 7700 900123"},
                }
            ]
        },
    )

    rule: RuleIn
    table_ids: list[uuid.UUID] = Field(min_length=1, max_length=8)
    party_size: int = Field(ge=1, le=500)
    time: str | None = Field(
        default=None,
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="venue-local HH:MM of the sitting; default: that of the first night",
    )
    sitting_id: uuid.UUID | None = Field(
        default=None, description="instead of time: the sitting of the first night"
    )
    guest: GuestIn
    notes: str | None = Field(default=None, max_length=1000)
    accept: list[AcceptIn] = Field(default_factory=list, max_length=series.MAX_OCCURRENCES)

    def request(self, channel: str, host_id: uuid.UUID | None) -> series.SeriesRequest:
        return series.SeriesRequest(
            rule=self.rule.rule(),
            table_ids=self.table_ids,
            party_size=self.party_size,
            guest_name=self.guest.name,
            guest_email=self.guest.email,
            guest_phone=self.guest.phone,
            local_time=time.fromisoformat(self.time) if self.time else None,
            sitting_id=self.sitting_id,
            channel=channel,
            host_id=host_id,
            notes=self.notes,
            accept={a.date: (a.alternative_date, a.table_ids) for a in self.accept},
        )


class StaffSeriesIn(HostSeriesIn):
    host_id: uuid.UUID | None = Field(default=None, description="attribute it to a host")


class CancelIn(Strict):
    scope: Literal["one", "following", "all"]
    date: Day | None = Field(default=None, description="one/following: the occurrence's date")
    reason: str = Field(min_length=1, max_length=300)


def _plan_view(venue: Venue, p: series.Plan, rule: series.Rule) -> dict[str, Any]:
    return {
        "time": p.local_time.strftime("%H:%M"),
        "timezone": venue.timezone,
        "rrule": series.rrule_text(rule),
        "tables": [t.label for t in p.tables],
        "occurrences": [o.view(venue.timezone) for o in p.occurrences],
    }


async def _preview(
    session: AsyncSession, venue: Venue, req: series.SeriesRequest, now: datetime
) -> dict[str, Any]:
    return _plan_view(venue, await series.plan(session, venue, req, now), req.rule)


async def _create(
    session: AsyncSession, venue: Venue, req: series.SeriesRequest, actor: Actor, now: datetime
) -> dict[str, Any]:
    done = await series.create(session, venue, req, actor, now)
    return {
        "series": await series.view(session, venue, done.series),
        "occurrences": [o.view(venue.timezone) for o in done.occurrences],
    }


async def _cancel(
    request: Request,
    session: AsyncSession,
    venue: Venue,
    series_id: uuid.UUID,
    body: CancelIn,
    actor: Actor,
    now: datetime,
    host: Host | None = None,
) -> dict[str, Any]:
    row = await series.series_of(session, venue, series_id, host.id if host else None)
    cancelled = await series.cancel(
        session, venue, row, body.scope, body.date, body.reason, actor, now
    )
    refunds = await refund_on_cancel_all(request, session, venue, cancelled, actor, now)
    return {
        "series": await series.view(session, venue, row),
        "cancelled": [str(r.id) for r in cancelled],
        "refunds": refunds,
    }


# --- staff ---------------------------------------------------------------------------


@staff_router.post("/preview")
async def preview_series(
    body: StaffSeriesIn, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Each date of the rule and whether it can be honoured, why not, and an alternative.
    Writes nothing."""
    return await _preview(session, venue, body.request("phone", body.host_id), now)


@staff_router.post("", status_code=201)
async def create_series(
    body: StaffSeriesIn, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Create the series and book, in one transaction, every date that can be honoured
    (or whose alternative you accept); the others are listed with the reason."""
    return await _create(session, venue, body.request("phone", body.host_id), who.actor, now)


@staff_router.get("")
async def list_series(venue: ReaderVenue, session: SessionDep) -> dict[str, Any]:
    """The venue's standing reservations, newest first."""
    return {"items": await series.list_series(session, venue)}


@staff_router.get("/{series_id}")
async def series_details(
    series_id: uuid.UUID, venue: ReaderVenue, session: SessionDep
) -> dict[str, Any]:
    """The series and every date of its rule, with its booking or why it has none."""
    row = await series.series_of(session, venue, series_id)
    return await series.view(session, venue, row)


@staff_router.post("/{series_id}/cancel")
async def cancel_series(
    request: Request,
    series_id: uuid.UUID,
    body: CancelIn,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Cancel one occurrence, this and the following ones, or the whole series; each
    cancelled booking is refunded by the venue's policy."""
    return await _cancel(request, session, venue, series_id, body, who.actor, now)


# --- a host, for their own clients -----------------------------------------------------


@host_router.post("/preview")
async def host_preview_series(
    body: HostSeriesIn, host: CurrentHost, venue: HostVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Each date of the rule for your client and whether it can be honoured. Writes
    nothing."""
    return await _preview(session, venue, body.request("host", host.id), now)


@host_router.post("", status_code=201)
async def host_create_series(
    body: HostSeriesIn,
    who: HostUser,
    host: CurrentHost,
    venue: HostVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """A standing reservation for your client, attributed to you."""
    return await _create(session, venue, body.request("host", host.id), who.actor, now)


@host_router.get("")
async def host_list_series(
    host: CurrentHost, venue: HostVenue, session: SessionDep
) -> dict[str, Any]:
    """Your standing reservations at the venue."""
    return {"items": await series.list_series(session, venue, host.id)}


@host_router.get("/{series_id}")
async def host_series_details(
    series_id: uuid.UUID, host: CurrentHost, venue: HostVenue, session: SessionDep
) -> dict[str, Any]:
    """One of your series (another host's is 404)."""
    row = await series.series_of(session, venue, series_id, host.id)
    return await series.view(session, venue, row)


@host_router.post("/{series_id}/cancel")
async def host_cancel_series(
    request: Request,
    series_id: uuid.UUID,
    body: CancelIn,
    who: HostUser,
    host: CurrentHost,
    venue: HostVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Cancel one occurrence, this and the following ones, or all of your series."""
    return await _cancel(request, session, venue, series_id, body, who.actor, now, host)
