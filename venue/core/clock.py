"""Venue-local time: stored in UTC, read and written in the venue's timezone.

A night belongs to the local date it starts on; a closing time at or before the
opening time on the clock is on the next day. Local times that do not exist (the
spring-forward gap) move forward by the gap; repeated ones (fall-back) take the first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_to_utc(day: date, at: time, tz: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def span_to_utc(day: date, start: time, end: time, tz: str) -> tuple[datetime, datetime]:
    """The UTC range of ``start``..``end`` on the night of ``day``, ``end`` possibly
    after midnight."""
    end_day = day + timedelta(days=1) if end <= start else day
    return local_to_utc(day, start, tz), local_to_utc(end_day, end, tz)


def to_local(at: datetime, tz: str) -> datetime:
    return at.astimezone(ZoneInfo(tz))


def business_date_of(at: datetime, tz: str, day_starts: time) -> date:
    """The business date an instant belongs to, for a venue whose day rolls over at
    ``day_starts`` local time (e.g. 06:00: 02:00 on Sunday is still Saturday night)."""
    local = to_local(at, tz)
    return local.date() - timedelta(days=1) if local.time() < day_starts else local.date()
