"""The request is the unit of work: a commit that fails is never answered with a 2xx."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.api.conftest import SAT
from tests.factories import World
from venue.models import Reservation


class CommitFails(AsyncSession):
    """A session whose commit is refused, as a database that went away mid-request would."""

    async def commit(self) -> None:
        raise ConnectionResetError("the database went away during COMMIT")


def _hold_body(world: World) -> dict[str, Any]:
    table = next(t for t in world.tables if t.tier == "standard")
    return {"date": SAT.isoformat(), "table_ids": [str(table.id)], "party_size": 2}


async def _reservations(client: httpx.AsyncClient, world: World) -> int:
    async with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        count = await s.scalar(select(func.count()).where(Reservation.venue_id == world.venue.id))
    return int(count or 0)


async def test_a_failed_commit_answers_an_error_and_stores_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    app = client.app  # type: ignore[attr-defined]
    engine = app.state.engine
    app.state.sessions = async_sessionmaker(
        engine, class_=CommitFails, expire_on_commit=False, autoflush=False
    )
    response = await client.post(f"/api/v1/venues/{world.venue.slug}/holds", json=_hold_body(world))
    assert response.status_code >= 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await _reservations(client, world) == 0


async def test_the_same_hold_with_a_working_commit_is_stored(
    client: httpx.AsyncClient, world: World
) -> None:
    """The control case: the request above is a valid hold."""
    response = await client.post(f"/api/v1/venues/{world.venue.slug}/holds", json=_hold_body(world))
    assert response.status_code == 201, response.text
    assert await _reservations(client, world) == 1
