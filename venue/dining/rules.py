"""A restaurant's rules as rows: service periods (per weekday, exceptions by date) and
turn times by party size. Read here, replaced whole by the console/API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.errors import InvalidRequest
from venue.journal.audit import record
from venue.models import ServicePeriod, TurnTime, Venue


@dataclass(frozen=True)
class Period:
    """A service period as the console edits it (no ids: the set is replaced whole)."""

    name: str
    first_start: time
    last_start: time
    covers_limit: int
    weekday: int | None = None
    on_date: date | None = None
    interval_minutes: int = 15
    pacing_covers: int | None = None
    is_closed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "weekday": self.weekday,
            "on_date": self.on_date.isoformat() if self.on_date else None,
            "first_start": self.first_start.strftime("%H:%M"),
            "last_start": self.last_start.strftime("%H:%M"),
            "interval_minutes": self.interval_minutes,
            "covers_limit": self.covers_limit,
            "pacing_covers": self.pacing_covers,
            "is_closed": self.is_closed,
        }


def turn_minutes(turns: Sequence[tuple[int, int]], party_size: int) -> int:
    """Minutes a party of ``party_size`` stays: the row with the largest ``min_party``
    not above it (``turns``: (min_party, minutes)). No row fits: 120."""
    fitting = [minutes for min_party, minutes in sorted(turns) if min_party <= party_size]
    return fitting[-1] if fitting else DEFAULT_TURN


# A venue that set no turn times yet: two hours, and said so in the console.
DEFAULT_TURN = 120


async def turns_of(session: AsyncSession, venue: Venue) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(TurnTime.min_party, TurnTime.minutes)
        .where(TurnTime.tenant_id == venue.tenant_id, TurnTime.venue_id == venue.id)
        .order_by(TurnTime.min_party)
    )
    return [(int(p), int(m)) for p, m in rows]


async def periods_of(session: AsyncSession, venue: Venue) -> list[ServicePeriod]:
    rows = await session.scalars(
        select(ServicePeriod)
        .where(ServicePeriod.tenant_id == venue.tenant_id, ServicePeriod.venue_id == venue.id)
        .order_by(ServicePeriod.on_date, ServicePeriod.weekday, ServicePeriod.first_start)
    )
    return list(rows)


def periods_for(periods: Sequence[ServicePeriod], day: date) -> list[ServicePeriod]:
    """The periods that apply on ``day``: that date's exceptions if it has any (all of
    them, so one closed row closes the day), else the weekday's."""
    exceptions = [p for p in periods if p.on_date == day]
    if exceptions:
        return exceptions
    return [p for p in periods if p.on_date is None and p.weekday == day.weekday()]


def _check(periods: Sequence[Period], turns: Sequence[tuple[int, int]]) -> None:
    for i, p in enumerate(periods):
        field = f"periods[{i}]"
        if (p.weekday is None) == (p.on_date is None):
            raise InvalidRequest(field, "give either a weekday (0-6) or a date")
        if p.weekday is not None and not 0 <= p.weekday <= 6:
            raise InvalidRequest(f"{field}.weekday", "0 (Monday) to 6 (Sunday)")
        if p.last_start < p.first_start:
            raise InvalidRequest(f"{field}.last_start", "the last start is before the first")
        if p.interval_minutes < 5:
            raise InvalidRequest(f"{field}.interval_minutes", "at least 5 minutes")
        if p.covers_limit < 0:
            raise InvalidRequest(f"{field}.covers_limit", "cannot be negative")
        if p.pacing_covers is not None and p.pacing_covers < 1:
            raise InvalidRequest(f"{field}.pacing_covers", "at least 1, or none")
    seen: set[int] = set()
    for i, (min_party, minutes) in enumerate(turns):
        if min_party < 1 or min_party in seen:
            raise InvalidRequest(f"turn_times[{i}].min_party", "one row per party size, from 1")
        if minutes < 15:
            raise InvalidRequest(f"turn_times[{i}].minutes", "at least 15 minutes")
        seen.add(min_party)


async def replace(
    session: AsyncSession,
    venue: Venue,
    periods: Sequence[Period],
    turns: Sequence[tuple[int, int]],
    *,
    actor: str,
    now: datetime,
) -> None:
    """Replace the venue's service periods and turn times (audited as one change).
    Nights already opened keep their sittings; staff edit those on the night."""
    _check(periods, turns)
    before = {
        "periods": [_period(p).to_dict() for p in await periods_of(session, venue)],
        "turn_times": await turns_of(session, venue),
    }
    scope = (ServicePeriod.tenant_id == venue.tenant_id, ServicePeriod.venue_id == venue.id)
    await session.execute(delete(ServicePeriod).where(*scope))
    await session.execute(
        delete(TurnTime).where(TurnTime.tenant_id == venue.tenant_id, TurnTime.venue_id == venue.id)
    )
    for p in periods:
        session.add(
            ServicePeriod(
                tenant_id=venue.tenant_id,
                venue_id=venue.id,
                weekday=p.weekday,
                on_date=p.on_date,
                name=p.name,
                first_start=p.first_start,
                last_start=p.last_start,
                interval_minutes=p.interval_minutes,
                covers_limit=p.covers_limit,
                pacing_covers=p.pacing_covers,
                is_closed=p.is_closed,
            )
        )
    for min_party, minutes in turns:
        session.add(
            TurnTime(
                tenant_id=venue.tenant_id, venue_id=venue.id, min_party=min_party, minutes=minutes
            )
        )
    await session.flush()
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=actor,
        action="dining_rules.updated",
        entity="venue",
        entity_id=venue.id,
        before=before,
        after={"periods": [p.to_dict() for p in periods], "turn_times": list(turns)},
        at=now,
    )


def _period(row: ServicePeriod) -> Period:
    return Period(
        name=row.name,
        first_start=row.first_start,
        last_start=row.last_start,
        covers_limit=row.covers_limit,
        weekday=row.weekday,
        on_date=row.on_date,
        interval_minutes=row.interval_minutes,
        pacing_covers=row.pacing_covers,
        is_closed=row.is_closed,
    )


def as_periods(rows: Sequence[ServicePeriod]) -> list[Period]:
    return [_period(r) for r in rows]
