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
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

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
