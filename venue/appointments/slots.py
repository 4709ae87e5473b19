"""Start times from facts, with no database: pure functions over one venue-local day.

A staff member's free time on a day is their working hours for that weekday, minus their
breaks, minus the busy ranges (appointment plus buffers) already booked; nothing on a day
off, an absence or a closed day. A start time ``t`` is offered for a service when the
whole busy range ``[t - before, t + duration + after)`` fits in someone's free time
(and, if the service needs a resource, in some resource's free time too). Start times
lie on the venue's grid: local midnight plus multiples of the interval, built from UTC
instants so a day with a clock change has the right number of hours.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Range = tuple[datetime, datetime]


@dataclass(frozen=True)
class ServiceShape:
    duration: timedelta
    before: timedelta = timedelta(0)
    after: timedelta = timedelta(0)

    def busy(self, start: datetime) -> Range:
        return start - self.before, start + self.duration + self.after


@dataclass
class StaffDay:
    """One staff member's facts for the day: ``work`` and ``breaks`` as venue-local
    (start, end) times; ``busy`` as UTC ranges; ``booked`` their appointments that day."""

    staff_id: uuid.UUID
    position: int
    work: list[tuple[time, time]] = field(default_factory=list)
    breaks: list[tuple[time, time]] = field(default_factory=list)
    busy: list[Range] = field(default_factory=list)
    booked: int = 0
    max_per_day: int | None = None
    absent: bool = False


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    staff_ids: tuple[uuid.UUID, ...]


def day_bounds(day: date, tz: str) -> Range:
    """The UTC instants of the venue-local day: 23, 24 or 25 hours long."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def to_utc(day: date, at: time, tz: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def subtract(ranges: Iterable[Range], holes: Iterable[Range]) -> list[Range]:
    """``ranges`` with every ``hole`` cut out, sorted."""
    out = sorted(ranges)
    for h0, h1 in holes:
        cut: list[Range] = []
        for r0, r1 in out:
            if h1 <= r0 or h0 >= r1:
                cut.append((r0, r1))
                continue
            if r0 < h0:
                cut.append((r0, h0))
            if h1 < r1:
                cut.append((h1, r1))
        out = cut
    return out


def free_time(staff: StaffDay, day: date, tz: str) -> list[Range]:
    """Working hours minus breaks minus busy ranges, as UTC ranges; empty when the day is
    off or the staff member has reached their daily maximum."""
    if staff.absent or (staff.max_per_day is not None and staff.booked >= staff.max_per_day):
        return []
    work = [(to_utc(day, a, tz), to_utc(day, b, tz)) for a, b in staff.work]
    breaks = [(to_utc(day, a, tz), to_utc(day, b, tz)) for a, b in staff.breaks]
    return subtract(subtract(work, breaks), staff.busy)


def fits(free: Sequence[Range], busy: Range) -> bool:
    return any(f0 <= busy[0] and busy[1] <= f1 for f0, f1 in free)


def grid(day: date, tz: str, interval: timedelta) -> list[datetime]:
    start, end = day_bounds(day, tz)
    steps = int((end - start) / interval)
    return [start + interval * i for i in range(steps)]


def start_times(
    day: date,
    tz: str,
    interval: timedelta,
    shape: ServiceShape,
    staff: Sequence[StaffDay],
    *,
    resources: Sequence[Sequence[Range]] | None = None,
    not_before: datetime | None = None,
) -> list[Slot]:
    """Every start time on the grid that some staff member can honour, with who can.

    ``resources``: None when the service needs none, else each resource's busy ranges
    (an empty list of resources means nothing can be booked). ``not_before``: the
    earliest start a guest may still book (now plus the cutoff)."""
    free = {s.staff_id: free_time(s, day, tz) for s in staff}
    day_start, day_end = day_bounds(day, tz)
    resource_free = (
        None
        if resources is None
        else [subtract([(day_start - shape.before, day_end + shape.after)], r) for r in resources]
    )
    slots = []
    for t in grid(day, tz, interval):
        if not_before is not None and t < not_before:
            continue
        busy = shape.busy(t)
        if resource_free is not None and not any(fits(r, busy) for r in resource_free):
            continue
        who = tuple(s.staff_id for s in staff if fits(free[s.staff_id], busy))
        if who:
            slots.append(Slot(t, who))
    return slots


def pick_anyone(candidates: Sequence[StaffDay]) -> StaffDay:
    """'Anyone available': the least busy that day, then the venue's order."""
    return min(candidates, key=lambda s: (s.booked, s.position, str(s.staff_id)))
