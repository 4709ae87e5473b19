"""Two staff moves racing for the same free table with real commits on PostgreSQL:
one wins, the other is told the table is taken, and the table holds one booking."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock
from tests.staff.conftest import Tenant, book
from venue.core.actor import Actor
from venue.core.db import session_factory
from venue.core.errors import TableUnavailable
from venue.models import ReservationTable
from venue.reservations import operations


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_two_moves_to_one_free_table_one_wins(
    backend: str, client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant, clock: FakeClock
) -> None:
    one = await book(client, mine, ["T1"])
    two = await book(client, mine, ["T2"], name="Bea")
    sessions = session_factory(engine)
    target = mine.world.table("T4").id
    start = asyncio.Event()

    async def attempt(res_id: str) -> str:
        async with sessions() as s:
            venue = await operations.venues.venue_by_slug(s, mine.slug)
            res = await operations.reservation_of(s, venue, uuid.UUID(res_id))
            await start.wait()
            try:
                await operations.move(s, venue, res, [target], Actor("staff", "x"), clock())
                await s.commit()
                return "won"
            except TableUnavailable:
                await s.rollback()
                return "taken"

    tasks = [asyncio.create_task(attempt(r["id"])) for r in (one, two)]
    await asyncio.sleep(0.05)
    start.set()
    assert sorted(await asyncio.gather(*tasks)) == ["taken", "won"]
    async with sessions() as s:
        on_target = await s.scalar(
            select(func.count())
            .select_from(ReservationTable)
            .where(ReservationTable.table_id == target)
        )
    assert on_target == 1
