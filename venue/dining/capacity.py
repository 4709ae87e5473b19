"""What a restaurant can still honour, from facts: for a party size and each start time
of a night, the covers left in the sitting, the covers starting in the pacing slot, the
free tables for the party's turn, and the tables assignment would pick.

Never a counter: the live reservations of the night (an expired hold is free whether or
not the sweeper marked it) and its blocks are the truth, as for a club's floor.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.clock import local_to_utc, to_local
from venue.floor import availability
from venue.models import (
    OCCUPYING,
    FloorPlan,
    Night,
    Reservation,
    ReservationTable,
    Sitting,
    TableBlock,
    TableLink,
    Venue,
    VenueRules,
    VenueTable,
)

from . import assign, rules

# Which table classes each channel may be seated at (a table kept back for staff is
# still theirs to give to a walk-in; a walk-in table is only for the door).
CLASSES_OF_CHANNEL = {
    "online": frozenset({"online"}),
    "host_link": frozenset({"online"}),
    "phone": frozenset({"online", "in_house"}),
    "staff": frozenset({"online", "in_house"}),
    "walk_in": frozenset({"online", "in_house", "walk_in"}),
}


def classes_for(channel: str) -> frozenset[str]:
    return CLASSES_OF_CHANNEL.get(channel, frozenset({"online"}))


def starts_of(sitting: Sitting, tz: str) -> list[datetime]:
    """The sitting's start times (UTC), stepped on the venue's wall clock so a DST
    change inside a service still starts parties at :00, :15, ..."""
    if not sitting.interval_minutes or sitting.last_start_at is None:
        return [sitting.starts_at]
    first = to_local(sitting.starts_at, tz).replace(tzinfo=None)
    last = to_local(sitting.last_start_at, tz).replace(tzinfo=None)
    out, at = [], first
    while at <= last:
        out.append(local_to_utc(at.date(), at.time(), tz))
        at += timedelta(minutes=sitting.interval_minutes)
    return out


def local_hhmm(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%H:%M")


@dataclass(frozen=True)
class Booked:
    """A live reservation of the night as capacity sees it."""

    id: uuid.UUID
    sitting_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    party_size: int
    table_ids: frozenset[uuid.UUID]


@dataclass(frozen=True)
class Floor:
    """The night as capacity needs it, read in three round trips."""

    night: Night
    sittings: list[Sitting]
    tables: list[VenueTable]
    links: set[tuple[uuid.UUID, uuid.UUID]]
    blocked: set[uuid.UUID]
    booked: list[Booked]
    turns: list[tuple[int, int]]

    def seats(self, classes: frozenset[str]) -> list[assign.Seat]:
        return [
            assign.Seat(t.id, t.label, t.min_party, t.max_party, t.base_minimum or 0)
            for t in self.tables
            if t.booking_class in classes and t.id not in self.blocked
        ]

    def covers_in(self, sitting: Sitting) -> int:
        return sum(b.party_size for b in self.booked if b.sitting_id == sitting.id)

    def covers_starting(self, sitting: Sitting, at: datetime) -> int:
        slot = timedelta(minutes=sitting.interval_minutes or 15)
        return sum(
            b.party_size
            for b in self.booked
            if b.sitting_id == sitting.id and at <= b.starts_at < at + slot
        )

    def taken_during(self, starts_at: datetime, ends_at: datetime) -> set[uuid.UUID]:
        taken: set[uuid.UUID] = set()
        for b in self.booked:
            if b.starts_at < ends_at and b.ends_at > starts_at:
                taken |= b.table_ids
        return taken


async def read_floor(session: AsyncSession, venue: Venue, night: Night, now: datetime) -> Floor:
    tables = list(
        await session.scalars(
            select(VenueTable)
            .join(FloorPlan, FloorPlan.id == VenueTable.floor_plan_id)
            .where(
                VenueTable.tenant_id == venue.tenant_id,
                VenueTable.venue_id == venue.id,
                VenueTable.is_active.is_(True),
                FloorPlan.is_active.is_(True),
            )
            .order_by(VenueTable.label)
        )
    )
    ids = [t.id for t in tables]
    links = {
        (a, b)
        for a, b in await session.execute(
            select(TableLink.table_a_id, TableLink.table_b_id).where(
                TableLink.tenant_id == venue.tenant_id, TableLink.table_a_id.in_(ids)
            )
        )
    }
    blocked = set(
        await session.scalars(
            select(TableBlock.table_id).where(
                TableBlock.tenant_id == venue.tenant_id, TableBlock.night_id == night.id
            )
        )
    )
    rows = await session.execute(
        select(
            Reservation.id,
            Reservation.sitting_id,
            Reservation.starts_at,
            Reservation.ends_at,
            Reservation.party_size,
            ReservationTable.table_id,
        )
        .join(ReservationTable, ReservationTable.reservation_id == Reservation.id)
        .where(
            Reservation.tenant_id == venue.tenant_id,
            Reservation.night_id == night.id,
            Reservation.status.in_([s.value for s in OCCUPYING]),
            availability.live_allocation(now),  # type: ignore[arg-type]
        )
    )
    by_res: dict[uuid.UUID, Booked] = {}
    for rid, sid, starts, ends, party, table_id in rows:
        prior = by_res.get(rid)
        tabs = (prior.table_ids if prior else frozenset()) | {table_id}
        by_res[rid] = Booked(rid, sid, starts, ends, party, tabs)
    sittings = list(
        await session.scalars(
            select(Sitting)
            .where(Sitting.tenant_id == venue.tenant_id, Sitting.night_id == night.id)
            .order_by(Sitting.starts_at)
        )
    )
    turns = await rules.turns_of(session, venue)
    return Floor(night, sittings, tables, links, blocked, list(by_res.values()), turns)


@dataclass
class Option:
    """One start time for one party: bookable, or the reason it is not."""

    sitting: Sitting
    starts_at: datetime
    ends_at: datetime
    local_time: str
    covers_left: int | None
    tables_left: int
    bookable: bool
    reason: str | None = None
    assigned: list[assign.Seat] = field(default_factory=list)


def window_reason(rules_: VenueRules, starts_at: datetime, now: datetime) -> str | None:
    if now > starts_at - timedelta(minutes=rules_.cutoff_minutes):
        return "booking_cutoff"
    if starts_at - now > timedelta(days=rules_.booking_window_days):
        return "booking_not_open"
    return None


def evaluate(
    floor: Floor,
    venue: Venue,
    rules_: VenueRules,
    sitting: Sitting,
    starts_at: datetime,
    party: int,
    now: datetime,
    *,
    classes: frozenset[str] = frozenset({"online"}),
    bypass_window: bool = False,
) -> Option:
    """The option of ``party`` starting at ``starts_at`` in ``sitting``; the first reason
    that refuses it, in the order a guest would want to hear them."""
    turn = rules.turn_minutes(floor.turns, party)
    ends_at = starts_at + timedelta(minutes=turn)
    seats = floor.seats(classes)
    taken = floor.taken_during(starts_at, ends_at)
    free = [s for s in seats if s.id not in taken]
    covers_left = (
        None if sitting.covers_limit is None else sitting.covers_limit - floor.covers_in(sitting)
    )
    option = Option(
        sitting,
        starts_at,
        ends_at,
        local_hhmm(starts_at, venue.timezone),
        None if covers_left is None else max(covers_left, 0),
        len(free),
        bookable=False,
    )
    reason = _reason(floor, rules_, sitting, starts_at, party, now, seats, covers_left)
    if reason is None and not bypass_window:
        reason = window_reason(rules_, starts_at, now)
    if reason is None:
        paced = sitting.pacing_covers
        if paced is not None and floor.covers_starting(sitting, starts_at) + party > paced:
            reason = "sitting_full_pacing"
    if reason is None:
        chosen = assign.best(free, floor.links, party)
        if chosen is None:
            reason = "sitting_full_tables"
        else:
            option.assigned = chosen
    option.reason = reason
    option.bookable = reason is None
    return option


def _reason(
    floor: Floor,
    rules_: VenueRules,
    sitting: Sitting,
    starts_at: datetime,
    party: int,
    now: datetime,
    seats: Sequence[assign.Seat],
    covers_left: int | None,
) -> str | None:
    if floor.night.is_closed:
        return "night_closed"
    if not rules_.min_party <= party <= rules_.max_party:
        return "party_size_not_allowed"
    if party > assign.largest_party(seats, floor.links):
        return "party_too_large"
    if (
        starts_at + timedelta(minutes=rules.turn_minutes(floor.turns, party))
        > floor.night.closes_at
    ):
        return "sitting_full_tables"
    if covers_left is not None and party > covers_left:
        return "sitting_full_covers"
    return None


def options(
    floor: Floor,
    venue: Venue,
    rules_: VenueRules,
    party: int,
    now: datetime,
    *,
    classes: frozenset[str] = frozenset({"online"}),
) -> list[Option]:
    """Every start time of every sitting of the night for the party."""
    return [
        evaluate(floor, venue, rules_, s, at, party, now, classes=classes)
        for s in floor.sittings
        for at in starts_of(s, venue.timezone)
    ]
