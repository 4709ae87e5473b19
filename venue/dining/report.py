"""The turn-away report: the parties a venue could not seat over a period, by weekday,
sitting or time, party size and reason, with the sentence an owner wants to read and the
figures for a chart. Clubs have turnaways too (no sitting or time on theirs)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.clock import to_local
from venue.models import Turnaway, Venue

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

REASONS = {
    "sitting_full_covers": "sitting full (covers)",
    "sitting_full_tables": "no table free",
    "sitting_full_pacing": "too many starting at once (pacing)",
    "party_too_large": "party too large",
    "party_size_not_allowed": "party size not taken online",
    "night_closed": "closed",
    "booking_cutoff": "inside the cutoff",
    "booking_not_open": "outside the booking window",
    "table_unavailable": "table just taken",
    "sold_out": "sold out",
}


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


async def turnaway_report(
    session: AsyncSession, venue: Venue, start: date, end: date
) -> dict[str, Any]:
    rows = list(
        await session.scalars(
            select(Turnaway)
            .where(
                Turnaway.tenant_id == venue.tenant_id,
                Turnaway.venue_id == venue.id,
                Turnaway.business_date >= start,
                Turnaway.business_date <= end,
            )
            .order_by(Turnaway.at)
        )
    )
    return summarise(rows, venue.timezone, start, end)


def _when(row: Turnaway, tz: str) -> str | None:
    if row.starts_at is not None:
        return to_local(row.starts_at, tz).strftime("%H:%M")
    return row.sitting_name


def summarise(rows: list[Turnaway], tz: str, start: date, end: date) -> dict[str, Any]:
    """Pure: the report of these turnaways (stored rows or not)."""
    dated = [r for r in rows if r.business_date is not None]
    by_day: Counter[str] = Counter(WEEKDAYS[r.business_date.weekday()] for r in dated)  # type: ignore[union-attr]
    by_reason: Counter[str] = Counter(r.reason for r in rows)
    by_size: Counter[int] = Counter(r.party_size for r in rows if r.party_size is not None)
    by_time: Counter[str] = Counter(w for r in rows if (w := _when(r, tz)))
    chart = [
        {
            "weekday": day,
            "total": by_day[day],
            "by_reason": dict(
                Counter(
                    r.reason
                    for r in dated
                    if WEEKDAYS[r.business_date.weekday()] == day  # type: ignore[union-attr]
                )
            ),
        }
        for day in WEEKDAYS
    ]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "total": len(rows),
        "sentence": sentence(dated, tz),
        "by_weekday": chart,
        "by_reason": [
            {"reason": k, "label": REASONS.get(k, k), "count": v}
            for k, v in by_reason.most_common()
        ],
        "by_party_size": [{"party_size": k, "count": v} for k, v in sorted(by_size.items())],
        "by_time": [{"time": k, "count": v} for k, v in sorted(by_time.items())],
    }


def sentence(rows: list[Turnaway], tz: str) -> str:
    """'23 parties tried to book Saturdays that you couldn't seat; 15 of them at 20:30'."""
    if not rows:
        return "Nobody was turned away in this period."
    by_day = Counter(r.business_date.weekday() for r in rows)  # type: ignore[union-attr]
    day, count = max(by_day.items(), key=lambda kv: (kv[1], kv[0]))
    on_day = [r for r in rows if r.business_date.weekday() == day]  # type: ignore[union-attr]
    text = f"{_plural(count, 'party')} tried to book {WEEKDAYS[day]}s that you couldn't seat"
    times = Counter(w for r in on_day if (w := _when(r, tz)))
    if times:
        when, n = max(times.items(), key=lambda kv: (kv[1], kv[0]))
        text += f"; {n} of them at {when}"
    return text + "."
