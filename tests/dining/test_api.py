"""The restaurant's public API: start times for a party, a hold by party size that
names its tables, and refusals kept as turnaways with their reason."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import (
    World,
    create_night_for,
    create_restaurant,
    create_venue,
    open_restaurant_night,
)
from venue.core.db import session_factory
from venue.dining.rules import Period
from venue.models import Turnaway

SAT = date(2026, 11, 21)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def restaurant(engine: AsyncEngine) -> World:
    periods = [Period("Dinner", time(18, 0), time(18, 30), 10, weekday=SAT.weekday())]
    async with session_factory(engine)() as s, s.begin():
        w = await create_restaurant(
            s,
            tables=[("A", 1, 2), ("B", 1, 2), ("C", 1, 4)],
            links=[("A", "B")],
            periods=periods,
        )
        await open_restaurant_night(s, w, SAT, now=NOW)
        return w


async def test_sittings_then_hold_by_party_size(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await restaurant(engine)
    base = f"/api/v1/venues/{w.venue.slug}"
    assert (await client.get(base)).json()["mode"] == "restaurant"
    got = await client.get(f"{base}/nights/{SAT}/sittings", params={"party_size": 4})
    assert got.status_code == 200, got.text
    body = got.json()
    assert [s["local_time"] for s in body["starts"]] == ["18:00", "18:15", "18:30"]
    first = body["starts"][0]
    assert first["bookable"] and first["covers_left"] == 10 and first["tables_left"] == 3
    assert body["call_us"] is None
    held = await client.post(
        f"{base}/holds", json={"date": str(SAT), "party_size": 4, "starts_at": first["starts_at"]}
    )
    assert held.status_code == 201, held.text
    assert held.json()["reservation"]["tables"] == ["C"]
    second = await client.post(
        f"{base}/holds", json={"date": str(SAT), "party_size": 4, "starts_at": first["starts_at"]}
    )
    assert second.status_code == 201, second.text
    assert second.json()["reservation"]["tables"] == ["A", "B"]
    assert second.json()["reservation"]["starts_local"].startswith("2026-11-21T18:00")
    third = await client.post(
        f"{base}/holds", json={"date": str(SAT), "party_size": 4, "starts_at": first["starts_at"]}
    )
    assert third.status_code == 409 and third.json()["code"] == "sitting_full_covers"
    assert "just filled up" in third.json()["detail"]
    async with session_factory(engine)() as s:
        kept = (await s.scalars(select(Turnaway).where(Turnaway.venue_id == w.venue.id))).all()
    assert [(t.reason, t.sitting_name, t.party_size) for t in kept] == [
        ("sitting_full_covers", "Dinner", 4)
    ]
    too_big = await client.get(f"{base}/nights/{SAT}/sittings", params={"party_size": 9})
    assert too_big.json()["call_us"] == w.venue.phone
    assert {s["reason"] for s in too_big.json()["starts"]} == {"party_too_large"}


async def test_a_start_time_off_the_grid_is_422_and_clubs_need_tables(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await restaurant(engine)
    base = f"/api/v1/venues/{w.venue.slug}"
    off = await client.post(
        f"{base}/holds",
        json={"date": str(SAT), "party_size": 2, "starts_at": "2026-11-21T18:05:00Z"},
    )
    assert off.status_code == 422 and off.json()["errors"][0]["field"] == "starts_at"
    chosen = await client.post(
        f"{base}/holds",
        json={
            "date": str(SAT),
            "party_size": 2,
            "table_ids": [str(w.table("A").id)],
            "starts_at": "2026-11-21T18:00:00Z",
        },
    )
    assert chosen.status_code == 422 and chosen.json()["errors"][0]["field"] == "table_ids"
    async with session_factory(engine)() as s, s.begin():
        club = await create_venue(s)
        await create_night_for(s, club, SAT, now=NOW)
    no_tables = await client.post(
        f"/api/v1/venues/{club.venue.slug}/holds", json={"date": str(SAT), "party_size": 2}
    )
    assert no_tables.status_code == 422 and no_tables.json()["errors"][0]["field"] == "table_ids"
