"""Claiming a staff member's (and a resource's) time: the one way any path takes it.

The same two walls as a table's (venue/floor/claim.py): an optimistic version claim in
the application (``staff_members.version`` / ``resources.version``: read the versions,
then the state, then bump ``WHERE version = :seen``; a lost bump reads again, since
READ COMMITTED shows the newer commit), and on PostgreSQL the exclusion constraints
``ex_appointments_staff_no_overlap`` / ``ex_appointments_resource_no_overlap`` behind
it. A booking, a guest's reschedule and a staff move all claim through ``claim``.
tests/appointments/test_race.py races it with real commits, with a control case.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.errors import StaffUnavailable
from venue.models import Resource, StaffMember

ATTEMPTS = 8
TAKEN_STATES = frozenset({"23P01", "40P01"})  # exclusion violation; deadlock of two inserts


@dataclass(frozen=True)
class Versions:
    staff: dict[uuid.UUID, int]
    resources: dict[uuid.UUID, int]


@dataclass(frozen=True)
class Pick:
    """What a look decided to take: one staff member and perhaps one resource."""

    staff_id: uuid.UUID
    resource_id: uuid.UUID | None


class Finding(Protocol):
    @property
    def pick(self) -> Pick: ...


T = TypeVar("T", bound=Finding)


async def versions(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    staff_ids: Collection[uuid.UUID],
    resource_ids: Collection[uuid.UUID] = (),
) -> Versions:
    """Current versions, read fresh, before the state they vouch for."""
    staff = await session.execute(
        select(StaffMember.id, StaffMember.version).where(
            StaffMember.tenant_id == tenant_id,
            StaffMember.id.in_(list(staff_ids)),
            StaffMember.is_active.is_(True),
        )
    )
    found = {i: v for i, v in staff}
    res: dict[uuid.UUID, int] = {}
    if resource_ids:
        rows = await session.execute(
            select(Resource.id, Resource.version).where(
                Resource.tenant_id == tenant_id, Resource.id.in_(list(resource_ids))
            )
        )
        res = {i: v for i, v in rows}
    return Versions(found, res)


async def claim(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    look: Callable[[int], Awaitable[tuple[Versions, T]]],
) -> T:
    """Run ``look(attempt)`` (reads versions, then state; raises the refusal; returns the
    versions and a finding with a ``pick``), bump what it picked; on a lost bump, look
    again. Returns the finding of the look whose bump held."""
    for attempt in range(ATTEMPTS):
        seen, found = await look(attempt)
        if await _bump(session, tenant_id, seen, found.pick):
            return found
    raise StaffUnavailable("that time is in demand right now, try again")


async def _bump(session: AsyncSession, tenant_id: uuid.UUID, seen: Versions, pick: Pick) -> bool:
    staff = await session.execute(
        update(StaffMember)
        .where(
            StaffMember.tenant_id == tenant_id,
            StaffMember.id == pick.staff_id,
            StaffMember.version == seen.staff.get(pick.staff_id, -1),
            StaffMember.is_active.is_(True),
        )
        .values(version=StaffMember.version + 1)
        .execution_options(synchronize_session=False)
    )
    if staff.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if pick.resource_id is None:
        return True
    res = await session.execute(
        update(Resource)
        .where(
            Resource.tenant_id == tenant_id,
            Resource.id == pick.resource_id,
            Resource.version == seen.resources.get(pick.resource_id, -1),
        )
        .values(version=Resource.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(res.rowcount == 1)  # type: ignore[attr-defined]


@asynccontextmanager
async def refused_as_taken() -> AsyncIterator[None]:
    """Around a write that adds or revives appointment rows: the exclusion constraint's
    refusal (or a deadlock of two such writes) becomes ``StaffUnavailable``."""
    try:
        yield
    except DBAPIError as exc:
        orig = exc.orig
        state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        if state in TAKEN_STATES:
            raise StaffUnavailable("just taken") from exc
        raise
