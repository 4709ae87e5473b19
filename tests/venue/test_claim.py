"""The claim module on its own: versions first, one bump per table, the retry policy and
the refusals. The races themselves, with real commits, are in test_concurrency.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_venue
from venue.core import errors
from venue.floor import claim


async def test_a_claim_bumps_each_version_once_and_returns_the_finding(
    session: AsyncSession,
) -> None:
    world = await create_venue(session, tables=3)
    ids = [t.id for t in world.tables[:2]]
    before = await claim.versions(session, world.venue.tenant_id, ids)
    looked: list[claim.Versions] = []

    async def check(seen: claim.Versions) -> str:
        looked.append(dict(seen))
        return "free"

    assert await claim.tables(session, world.venue.tenant_id, ids, check) == "free"
    assert looked == [before]
    after = await claim.versions(session, world.venue.tenant_id, [t.id for t in world.tables])
    assert after == {**{i: v + 1 for i, v in before.items()}, world.tables[2].id: 1}


async def test_a_claim_that_keeps_losing_gives_up_with_table_unavailable(
    session: AsyncSession,
) -> None:
    world = await create_venue(session, tables=1)
    table_id = world.tables[0].id
    attempts: list[int] = []

    async def look(attempt: int) -> tuple[claim.Versions, None]:
        attempts.append(attempt)
        seen = await claim.versions(session, world.venue.tenant_id, [table_id])
        return {table_id: seen[table_id] - 1}, None  # as if someone committed meanwhile

    with pytest.raises(errors.TableUnavailable):
        await claim.tables_seen(session, world.venue.tenant_id, look)
    assert attempts == list(range(claim.ATTEMPTS))


async def test_a_refusal_from_the_check_is_not_retried(session: AsyncSession) -> None:
    world = await create_venue(session, tables=1)
    calls = 0

    async def check(_: claim.Versions) -> None:
        nonlocal calls
        calls += 1
        raise errors.TableUnavailable("taken")

    with pytest.raises(errors.TableUnavailable, match="taken"):
        await claim.tables(session, world.venue.tenant_id, [world.tables[0].id], check)
    assert calls == 1


async def test_a_retired_table_is_missing_from_the_versions(session: AsyncSession) -> None:
    world = await create_venue(session, tables=2)
    world.tables[0].is_active = False
    await session.flush()
    seen = await claim.versions(session, world.venue.tenant_id, [t.id for t in world.tables])
    assert set(seen) == {world.tables[1].id}


def db_error(sqlstate: str) -> DBAPIError:
    return DBAPIError("INSERT", {}, SimpleNamespace(sqlstate=sqlstate))  # type: ignore[arg-type]


@pytest.mark.parametrize("sqlstate", ["23P01", "40P01"])
async def test_an_overlap_or_deadlock_is_table_unavailable(sqlstate: str) -> None:
    error = db_error(sqlstate)
    with pytest.raises(errors.TableUnavailable) as refused:
        async with claim.refused_as_taken():
            raise error
    assert refused.value.__cause__ is error


async def test_other_database_errors_pass_unchanged() -> None:
    error = db_error("23505")
    with pytest.raises(DBAPIError) as raised:
        async with claim.refused_as_taken():
            raise error
    assert raised.value is error
