"""Claiming tables: the one way any path takes a table before it occupies it.

The guarantee: of two transactions that each check a table is free and then occupy it,
at most one succeeds. Every path that puts a reservation on a table or takes a table out
of sale claims it here first, and nowhere else: a hold (``booking.place_hold``, which
staff phone and walk-in bookings use as well), a staff move (``operations.move``),
re-seating a reservation whose payment came late (``payments_ledger.reseat``), a block
(``closures.block``) and deleting a table (``floorplan.delete_table``). A new way of
occupying a table claims through ``tables`` too, never with its own ``UPDATE``.

Two walls stand behind it:

1. **Optimistic version claim, in the application**, on ``venue_tables.version``. Read
   the tables' versions, then check their state, then bump each version ``WHERE version
   = :seen AND is_active``, in id order so two claimants never lock in opposite orders.
   The versions are read no later than the state they vouch for, so a competitor that
   committed after our read has bumped a version and our bump touches no row. Then we
   read and check again in the same transaction (under READ COMMITTED a new statement
   sees the newer commit), at most ``ATTEMPTS`` times. A bump that succeeds holds its row
   locks until commit, so nobody slips in between our check and our write. On SQLite
   every transaction is ``BEGIN IMMEDIATE`` (venue/db.py), so claimants queue instead.
2. **The exclusion constraint, in PostgreSQL**: ``ex_reservation_tables_no_overlap`` on
   ``reservation_tables`` refuses an occupying allocation that overlaps another, whatever
   wrote it. Wrap the write that adds or revives allocations in ``refused_as_taken``.

How a lost race is answered: the caller's check sees the winner's commit and raises its
own refusal (a hold or a move: ``TableUnavailable``; a block: ``table_has_booking``).
A table so contended that every attempt loses, and an allocation the constraint refuses
(or a deadlock between two such writes), raise ``TableUnavailable``, which the web layer
renders as 409 ``table_unavailable``. The caller's transaction rolls back as a whole.

tests/venue/test_concurrency.py races this with real commits, with control cases that
take each wall away in turn. Services flush, never commit: this module only executes.

**Markers: a hot table's losers answered from memory.** At a drop hundreds of requests
reach for the same table at once; all but one must hear "no", and asking the database for
each costs a whole booking's worth of work. So this process remembers, per venue, table
and (night, sitting), what it already knows for certain: a hold it committed
(``taken_after_commit``: the marker is set by the session's ``after_commit``, never
before), or a refusal the database just gave (``taken_now``). ``take_turn`` makes the
requests of this process for one table and sitting go to the database one at a time; the
others wait, and ``known_taken`` answers a waiter from a marker set while it waited (the
one in front committed the table, or was refused it) without touching the database. The
database stays the only truth: a marker can only refuse, never grant; only a request that
waited while it was set may use it (an older marker could hide a release made through
another process meanwhile); it lapses with the hold it saw and after ``MARK_SECONDS`` of
real time, and is dropped when this process cancels, expires or moves a reservation
(``forget``).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import event, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from venue.core.errors import TableUnavailable
from venue.models import VenueTable

# Lost claims before giving up: each loss means a competitor committed on the table, so
# the next read usually shows it taken; only a table changing many times a moment runs out.
ATTEMPTS = 8
# SQLSTATEs that mean "an overlapping allocation got there first": exclusion violation,
# and the deadlock two overlapping inserts can reach before either check completes.
TAKEN_STATES = frozenset({"23P01", "40P01"})

T = TypeVar("T")
Versions = Mapping[uuid.UUID, int]
# A look reads versions and state (versions no later than the state), raises the caller's
# refusal if the tables cannot be had, and returns the versions it read with its finding.
Look = Callable[[int], Awaitable[tuple[Versions, T]]]


async def tables(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    table_ids: Collection[uuid.UUID],
    check: Callable[[Versions], Awaitable[T]],
) -> T:
    """Claim ``table_ids``: read their versions, await ``check(versions)`` (which reads
    the state it needs and raises if the tables cannot be had), bump; on a lost bump
    read and check again. Returns what ``check`` returned. A table retired before the
    read is missing from the versions; ``check`` decides whether that is a refusal."""

    async def look(_: int) -> tuple[Versions, T]:
        seen = await versions(session, tenant_id, table_ids)
        return seen, await check(seen)

    return await tables_seen(session, tenant_id, look)


async def tables_seen(session: AsyncSession, tenant_id: uuid.UUID, look: Look[T]) -> T:
    """``tables`` for a caller that reads the versions together with the state in one
    statement (the hold's hot path): ``look(attempt)`` returns the versions it saw and
    its finding. The retry policy and the refusal are the same."""
    for attempt in range(ATTEMPTS):
        seen, found = await look(attempt)
        if await _bump(session, tenant_id, seen):
            return found
    raise TableUnavailable("the table is in demand right now, try again")


async def versions(
    session: AsyncSession, tenant_id: uuid.UUID, table_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """The tables' current versions, read fresh (never from the identity map). A table
    retired meanwhile is missing from the answer."""
    rows = await session.execute(
        select(VenueTable.id, VenueTable.version).where(
            VenueTable.tenant_id == tenant_id,
            VenueTable.id.in_(list(table_ids)),
            VenueTable.is_active.is_(True),
        )
    )
    return {table_id: version for table_id, version in rows}


@asynccontextmanager
async def refused_as_taken() -> AsyncIterator[None]:
    """Around a write that adds or revives allocations: the exclusion constraint's
    refusal (or a deadlock with another such write) becomes ``TableUnavailable``, with
    the database error as its cause; any other database error passes unchanged."""
    try:
        yield
    except DBAPIError as exc:
        if _sqlstate(exc) in TAKEN_STATES:
            raise TableUnavailable("just taken") from exc
        raise


async def _bump(session: AsyncSession, tenant_id: uuid.UUID, seen: Versions) -> bool:
    """Bump each table's version from the one we read, in id order; False at the first
    table someone else changed (the caller reads again)."""
    for table_id in sorted(seen):
        result = await session.execute(
            update(VenueTable)
            .where(
                VenueTable.tenant_id == tenant_id,
                VenueTable.id == table_id,
                VenueTable.version == seen[table_id],
                VenueTable.is_active.is_(True),
            )
            .values(version=VenueTable.version + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
    return True


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


# ----------------------------------------------------------------------------- markers

# Real seconds a marker is believed at most: another process may release or cancel the
# hold this one saw, and this process would not hear of it.
MARK_SECONDS = 5.0
_PENDING = "maitre.claim.marks"  # session.info: markers to set once this transaction commits
_TURNS = "maitre.claim.turns"  # session.info: turns to hand on when this transaction ends


@dataclass(frozen=True)
class Spot:
    """Where a request points, as it names it before any database work: the venue's
    slug, the table, the night's date and the sitting it asked for (None: the night's
    first). A hold knows its real sitting too and marks both names."""

    slug: str
    table_id: uuid.UUID
    day: date
    sitting_id: uuid.UUID | None


@dataclass(frozen=True)
class Marker:
    tenant_id: uuid.UUID
    venue_id: uuid.UUID
    until: datetime  # in the app's clock: the hold lapses then (or the refusal is old)
    deadline: float  # time.monotonic(): MARK_SECONDS after it was set
    set_at: float = 0.0  # time.monotonic() when it was set


_markers: dict[Spot, Marker] = {}
_by_table: dict[uuid.UUID, set[Spot]] = {}
_turns: dict[Spot, tuple[asyncio.Lock, list[int]]] = {}


def known_taken(spots: Iterable[Spot], now: datetime, since: float) -> Marker | None:
    """A marker set at or after ``since`` (``time.monotonic()``) that says one of these
    spots is taken, or None (then ask the database). Only what this process learnt while
    the caller waited its turn counts: an older marker may hide a release made through
    another process since, which this process cannot hear of."""
    clock = time.monotonic()
    for spot in spots:
        marker = _markers.get(spot)
        if marker is None:
            continue
        if not (now < marker.until and clock < marker.deadline):
            _drop(spot)
        elif marker.set_at >= since:
            return marker
    return None


async def take_turn(session: AsyncSession, spots: Iterable[Spot]) -> float | None:
    """Wait until no other request of this process is booking these spots; the turn is
    handed on when this session's transaction ends (commit or rollback), so a waiter
    finds the marker of a committed hold. Spots are taken in one order (no deadlock).
    Returns when the wait began (``time.monotonic()``, for ``known_taken``), or None if
    there was nobody to wait for."""
    held: list[Spot] = session.info.setdefault(_TURNS, [])
    began = time.monotonic()
    waited = False
    for spot in sorted(set(spots), key=_order):
        lock, users = _turns.setdefault(spot, (asyncio.Lock(), [0]))
        users[0] += 1
        waited = waited or lock.locked()
        try:
            await lock.acquire()
        except BaseException:
            _leave(spot)
            raise
        held.append(spot)
    return began if waited else None


def end_turn(session: AsyncSession) -> None:
    """Hand on this session's turns now (a request that ended without a transaction)."""
    _hand_on(session.sync_session)


def taken_after_commit(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    venue_id: uuid.UUID,
    spots: list[Spot],
    until: datetime,
) -> None:
    """Mark these spots taken until ``until`` once (and only if) this transaction commits."""
    marker = Marker(tenant_id, venue_id, until, 0.0)
    session.info.setdefault(_PENDING, []).extend((spot, marker) for spot in spots)


def taken_now(tenant_id: uuid.UUID, venue_id: uuid.UUID, spots: list[Spot], now: datetime) -> None:
    """Mark spots the database has just shown taken by someone else's commit."""
    until = now + timedelta(seconds=MARK_SECONDS)
    for spot in spots:
        clock = time.monotonic()
        _set(spot, Marker(tenant_id, venue_id, until, clock + MARK_SECONDS, clock))


def forget(table_ids: Iterable[uuid.UUID]) -> None:
    """Drop every marker of these tables (a reservation on them was cancelled, expired or
    moved in this process). Dropping early is always safe: markers only refuse."""
    for table_id in table_ids:
        for spot in list(_by_table.get(table_id, ())):
            _drop(spot)


def _set(spot: Spot, marker: Marker) -> None:
    _markers[spot] = marker
    _by_table.setdefault(spot.table_id, set()).add(spot)


def _drop(spot: Spot) -> None:
    _markers.pop(spot, None)
    spots = _by_table.get(spot.table_id)
    if spots is not None:
        spots.discard(spot)
        if not spots:
            del _by_table[spot.table_id]


def _order(spot: Spot) -> tuple[str, str, str, str]:
    return (spot.slug, str(spot.table_id), spot.day.isoformat(), str(spot.sitting_id))


def _leave(spot: Spot) -> None:
    entry = _turns.get(spot)
    if entry is None:
        return
    entry[1][0] -= 1
    if entry[1][0] <= 0:
        del _turns[spot]


def _hand_on(session: Session) -> None:
    for spot in session.info.pop(_TURNS, ()):
        entry = _turns.get(spot)
        if entry is not None and entry[0].locked():
            entry[0].release()
        _leave(spot)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    clock = time.monotonic()
    for spot, marker in session.info.pop(_PENDING, ()):
        _set(
            spot,
            Marker(marker.tenant_id, marker.venue_id, marker.until, clock + MARK_SECONDS, clock),
        )


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint or subtransaction: not the end yet
        return
    session.info.pop(_PENDING, None)  # rolled back: nothing to mark
    _hand_on(session)
