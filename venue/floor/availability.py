"""Availability from facts: the occupying allocations and blocks of a sitting.

Never a counter: a table is taken exactly when an occupying allocation overlaps the
sitting's range, and a hold or pending payment whose ``expires_at`` has passed is free
here whether or not the sweeper has marked it yet.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    Uuid,
    and_,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.errors import NotFound
from venue.models import (
    EXPIRING,
    OCCUPYING,
    FloorPlan,
    Night,
    Reservation,
    ReservationTable,
    Sitting,
    Status,
    TableBlock,
    TableLink,
    Venue,
    VenueTable,
)

STATE_OF_STATUS = {
    Status.HOLD: "held",
    Status.PENDING_PAYMENT: "pending",
    Status.CONFIRMED: "booked",
    Status.SEATED: "seated",
}


@dataclass(frozen=True)
class TableState:
    table: VenueTable
    state: str  # free | held | pending | booked | seated | blocked
    reservation_id: uuid.UUID | None = None

    @property
    def free(self) -> bool:
        return self.state == "free"


@dataclass(frozen=True)
class NightState:
    night: Night
    sitting: Sitting
    tables: list[TableState]

    def by_id(self) -> dict[uuid.UUID, TableState]:
        return {t.table.id: t for t in self.tables}

    def taken_by_tier(self) -> Counter[str]:
        return Counter(t.table.tier for t in self.tables if not t.free)

    def total_by_tier(self) -> Counter[str]:
        return Counter(t.table.tier for t in self.tables)


@dataclass(frozen=True)
class Wanted:
    """One table a hold wants, as one statement saw it: its lock version and whether it is
    free. ``lapsed``: a hold or payment that ran out still sits on it (the exclusion
    constraint counts it until it is marked expired)."""

    table: VenueTable
    version: int
    taken: bool
    blocked: bool
    lapsed: bool


def live_allocation(now: datetime) -> object:
    """Predicate over (ReservationTable, Reservation): this allocation occupies now."""
    return and_(
        ReservationTable.status.in_([s.value for s in OCCUPYING]),
        or_(
            ReservationTable.status.not_in([s.value for s in EXPIRING]),
            Reservation.expires_at > now,
        ),
    )


async def occupying(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    table_ids: Iterable[uuid.UUID],
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """table id -> (reservation id, status) for every live allocation overlapping the range."""
    rows = await session.execute(
        select(ReservationTable.table_id, Reservation.id, Reservation.status)
        .join(Reservation, Reservation.id == ReservationTable.reservation_id)
        .where(
            ReservationTable.tenant_id == tenant_id,
            ReservationTable.table_id.in_(list(table_ids)),
            ReservationTable.starts_at < ends_at,
            ReservationTable.ends_at > starts_at,
            live_allocation(now),  # type: ignore[arg-type]
        )
    )
    return {table_id: (rid, status) for table_id, rid, status in rows}


async def wanted_state(
    session: AsyncSession,
    venue: Venue,
    night: Night,
    sitting: Sitting,
    ids: list[uuid.UUID],
    now: datetime,
) -> list[Wanted]:
    """The bookable tables among ``ids`` (active, on the active plan, sorted by id) with
    their versions, occupancy, blocks and lapsed holds, in one round trip.

    One statement reads versions and state from one snapshot, which is at least as strong
    as reading versions first: a booking committed after the snapshot has bumped the
    version, so the caller's claim fails and it reads again."""
    overlap = (
        ReservationTable.tenant_id == venue.tenant_id,
        ReservationTable.table_id == VenueTable.id,
        ReservationTable.starts_at < sitting.ends_at,
        ReservationTable.ends_at > sitting.starts_at,
    )
    rt_res = Reservation.id == ReservationTable.reservation_id
    live = (
        select(ReservationTable.id)
        .join(Reservation, rt_res)
        .where(*overlap, live_allocation(now))  # type: ignore[arg-type]
        .exists()
    )
    lapsed = (
        select(ReservationTable.id)
        .join(Reservation, rt_res)
        .where(
            *overlap,
            Reservation.status.in_([s.value for s in EXPIRING]),
            Reservation.expires_at <= now,
        )
        .exists()
    )
    is_blocked = (
        select(TableBlock.id)
        .where(
            TableBlock.tenant_id == venue.tenant_id,
            TableBlock.night_id == night.id,
            TableBlock.table_id == VenueTable.id,
        )
        .exists()
    )
    rows = await session.execute(
        select(VenueTable, VenueTable.version, live, is_blocked, lapsed)
        .join(FloorPlan, FloorPlan.id == VenueTable.floor_plan_id)
        .where(*_bookable(venue, ids))
        .order_by(VenueTable.id)
    )
    # The version comes from its own column: the ORM object may be a stale identity-map
    # copy from an earlier attempt.
    return [Wanted(t, v, bool(a), bool(b), bool(c)) for t, v, a, b, c in rows]


def _live_in_sitting(
    night: Night, sitting: Sitting, now: datetime
) -> Select[uuid.UUID, uuid.UUID, str]:
    """(table id, reservation id, status) of every live allocation in the sitting, found
    through the night (indexed)."""
    return (
        select(ReservationTable.table_id, Reservation.id, Reservation.status)
        .join(Reservation, Reservation.id == ReservationTable.reservation_id)
        .where(
            Reservation.tenant_id == night.tenant_id,
            Reservation.night_id == night.id,
            Reservation.status.in_([s.value for s in OCCUPYING]),
            ReservationTable.starts_at < sitting.ends_at,
            ReservationTable.ends_at > sitting.starts_at,
            live_allocation(now),  # type: ignore[arg-type]
        )
    )


async def occupying_night(
    session: AsyncSession, night: Night, sitting: Sitting, now: datetime
) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """Like ``occupying`` for every table of the night's sitting, found through the night
    (indexed) instead of a list of table ids."""
    rows = await session.execute(_live_in_sitting(night, sitting, now))
    return {table_id: (rid, status) for table_id, rid, status in rows}


async def tier_counts(
    session: AsyncSession, venue: Venue, night: Night, sitting: Sitting, now: datetime
) -> dict[str, tuple[int, int]]:
    """tier -> (tables taken or blocked, tables) for the sitting, in one query: what the
    pricing engine needs to know about demand without loading the whole floor.

    The taken tables are found from the night (its reservations, indexed by night), not
    table by table: an overlap test per table walks that table's whole history in the
    ``(table_id, starts_at, ends_at)`` index (50 ms for 200 tables with 300 past nights
    each, measured in bench/booking.py); through the night it reads this night's rows."""
    occupied = (
        select(ReservationTable.table_id)
        .join(Reservation, Reservation.id == ReservationTable.reservation_id)
        .where(
            Reservation.tenant_id == venue.tenant_id,
            Reservation.night_id == night.id,
            Reservation.status.in_([s.value for s in OCCUPYING]),
            ReservationTable.starts_at < sitting.ends_at,
            ReservationTable.ends_at > sitting.starts_at,
            live_allocation(now),  # type: ignore[arg-type]
        )
    )
    blocks = select(TableBlock.table_id).where(
        TableBlock.tenant_id == venue.tenant_id, TableBlock.night_id == night.id
    )
    taken = union(occupied, blocks).subquery()  # UNION: a table counts once
    rows = await session.execute(
        select(VenueTable.tier, func.count(VenueTable.id), func.count(taken.c.table_id))
        .join(FloorPlan, FloorPlan.id == VenueTable.floor_plan_id)
        .outerjoin(taken, taken.c.table_id == VenueTable.id)
        .where(
            VenueTable.tenant_id == venue.tenant_id,
            VenueTable.venue_id == venue.id,
            VenueTable.is_active.is_(True),
            FloorPlan.is_active.is_(True),
        )
        .group_by(VenueTable.tier)
    )
    return {tier: (int(n_taken or 0), int(total)) for tier, total, n_taken in rows}


def pick(tables: list[VenueTable], ids: list[uuid.UUID]) -> list[VenueTable]:
    """The tables named by ``ids`` among ``tables``, by id; 404 naming any it lacks."""
    by_id = {t.id: t for t in tables}
    missing = [str(i) for i in ids if i not in by_id]
    if missing:
        raise NotFound("no such table at this venue", table_ids=missing)
    return sorted({by_id[i] for i in ids}, key=lambda t: t.id)


def _bookable(venue: Venue, ids: Iterable[uuid.UUID]) -> tuple[ColumnElement[bool], ...]:
    """The tables among ``ids`` that can be booked: the venue's, active, on the active
    plan (the query joins ``FloorPlan``)."""
    return (
        VenueTable.tenant_id == venue.tenant_id,
        VenueTable.venue_id == venue.id,
        VenueTable.id.in_(list(ids)),
        VenueTable.is_active.is_(True),
        FloorPlan.is_active.is_(True),
    )


async def tables_by_ids(
    session: AsyncSession, venue: Venue, ids: list[uuid.UUID]
) -> list[VenueTable]:
    """The bookable tables among ``ids`` (active, on the active plan), sorted by id."""
    rows = await session.scalars(
        select(VenueTable)
        .join(FloorPlan, FloorPlan.id == VenueTable.floor_plan_id)
        .where(*_bookable(venue, ids))
        .order_by(VenueTable.id)
    )
    return list(rows)


async def blocked(session: AsyncSession, night: Night) -> set[uuid.UUID]:
    rows = await session.scalars(
        select(TableBlock.table_id).where(
            TableBlock.tenant_id == night.tenant_id, TableBlock.night_id == night.id
        )
    )
    return set(rows)


async def tables_of(
    session: AsyncSession, venue: Venue, floor_plan_id: uuid.UUID
) -> list[VenueTable]:
    rows = await session.scalars(
        select(VenueTable)
        .where(
            VenueTable.tenant_id == venue.tenant_id,
            VenueTable.venue_id == venue.id,
            VenueTable.floor_plan_id == floor_plan_id,
            VenueTable.is_active.is_(True),
        )
        .order_by(VenueTable.label)
    )
    return list(rows)


async def night_state(
    session: AsyncSession,
    venue: Venue,
    night: Night,
    sitting: Sitting,
    tables: list[VenueTable],
    now: datetime,
) -> NightState:
    taken, blocks = await _occupancy_and_blocks(session, night, sitting, now)
    states = []
    for table in tables:
        if table.id in blocks:
            states.append(TableState(table, "blocked"))
        elif table.id in taken:
            rid, status = taken[table.id]
            states.append(TableState(table, STATE_OF_STATUS[Status(status)], rid))
        else:
            states.append(TableState(table, "free"))
    return NightState(night, sitting, states)


async def _occupancy_and_blocks(
    session: AsyncSession, night: Night, sitting: Sitting, now: datetime
) -> tuple[dict[uuid.UUID, tuple[uuid.UUID, str]], set[uuid.UUID]]:
    """``occupying_night`` and ``blocked`` in one round trip (a UNION ALL; a block row
    carries no reservation and the status ``blocked``)."""
    live = _live_in_sitting(night, sitting, now)
    blocks = select(TableBlock.table_id, cast(null(), Uuid), literal("blocked")).where(
        TableBlock.tenant_id == night.tenant_id, TableBlock.night_id == night.id
    )
    taken: dict[uuid.UUID, tuple[uuid.UUID, str]] = {}
    blocked_ids: set[uuid.UUID] = set()
    for table_id, rid, status in await session.execute(union_all(live, blocks)):
        if rid is None:
            blocked_ids.add(table_id)
        else:
            taken[table_id] = (rid, status)
    return taken, blocked_ids


async def links_between(
    session: AsyncSession, tenant_id: uuid.UUID, table_ids: list[uuid.UUID]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    rows = await session.execute(
        select(TableLink.table_a_id, TableLink.table_b_id).where(
            TableLink.tenant_id == tenant_id,
            TableLink.table_a_id.in_(table_ids),
            TableLink.table_b_id.in_(table_ids),
        )
    )
    return {(a, b) for a, b in rows}


def connected(table_ids: list[uuid.UUID], links: set[tuple[uuid.UUID, uuid.UUID]]) -> bool:
    """Whether the tables form one group through join links (a party sits together)."""
    if len(table_ids) <= 1:
        return True
    neighbours: dict[uuid.UUID, set[uuid.UUID]] = {t: set() for t in table_ids}
    for a, b in links:
        neighbours[a].add(b)
        neighbours[b].add(a)
    seen, frontier = {table_ids[0]}, [table_ids[0]]
    while frontier:
        for nxt in neighbours[frontier.pop()] - seen:
            seen.add(nxt)
            frontier.append(nxt)
    return len(seen) == len(table_ids)
