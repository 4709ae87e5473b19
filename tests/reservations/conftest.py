"""A venue with two tiers and three nights, and a guest's booking made through the API
(its deposit paid on the TEST MODE checkout page when the tier takes one)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.conftest import NOW
from tests.factories import World, create_night_for, create_venue
from venue.core.db import session_factory

NEAR = date(2026, 11, 21)  # 34 hours after NOW: half the deposit back by the default policy
FRI = date(2026, 11, 27)  # a week on: all of it back
SAT = date(2026, 11, 28)
GUEST = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "07911 123456"}
# T1, T3: standard, minimum 500.00; T2, T4: vip, minimum 1,000.00. Deposits are 20%.
STANDARD_DEPOSIT, VIP_DEPOSIT = 10000, 20000


async def make_world(engine: AsyncEngine, deposit_bp: int) -> World:
    async with session_factory(engine)() as s, s.begin():
        w = await create_venue(s, tables=4, tiers=("standard", "vip"), deposit_bp=deposit_bp)
        w.venue.email = f"{w.venue.slug}@venue.test"
        for day in (NEAR, FRI, SAT):
            await create_night_for(s, w, day, now=NOW)
        return w


@pytest.fixture
async def world(engine: AsyncEngine) -> World:
    """No deposits: the reschedule without money."""
    return await make_world(engine, 0)


@pytest.fixture
async def paid_world(engine: AsyncEngine) -> World:
    """Deposits of 20%, taken through Checkout."""
    return await make_world(engine, 2000)


def base(world: World) -> str:
    return f"/api/v1/venues/{world.venue.slug}"


async def book(
    client: httpx.AsyncClient, world: World, day: date, label: str, **guest: str
) -> dict[str, Any]:
    """A confirmed booking: (its view and ``token``), the deposit paid if one is due."""
    body = {"date": day.isoformat(), "table_ids": [str(world.table(label).id)], "party_size": 2}
    placed = await client.post(f"{base(world)}/holds", json=body)
    assert placed.status_code == 201, placed.text
    rid, token = placed.json()["reservation"]["id"], placed.json()["token"]
    done = await client.post(
        f"{base(world)}/holds/{rid}/complete",
        json={"token": token, "guest": {**GUEST, **guest}},
    )
    assert done.status_code == 200, done.text
    if done.json()["status"] == "pending_payment":
        await pay(client, world, token)
    view = await reservation(client, world, token)
    assert view["status"] == "confirmed", view
    return {**view, "token": token}


async def pay(client: httpx.AsyncClient, world: World, token: str) -> dict[str, Any]:
    """Pay what is due on the TEST MODE page (the signed webhook confirms the booking)."""
    started = await client.post(f"{base(world)}/reservations/{token}/checkout")
    assert started.status_code == 200, started.text
    path = httpx.URL(started.json()["checkout_url"]).path
    assert (await client.post(f"{path}/pay")).status_code == 303
    return dict(started.json())


async def reservation(client: httpx.AsyncClient, world: World, token: str) -> dict[str, Any]:
    got = await client.get(f"{base(world)}/reservations/{token}")
    assert got.status_code == 200, got.text
    return dict(got.json())


async def move(
    client: httpx.AsyncClient, world: World, token: str, day: date, *labels: str, **extra: Any
) -> httpx.Response:
    body = {"date": day.isoformat(), "table_ids": [str(world.table(x).id) for x in labels]}
    return await client.post(
        f"{base(world)}/reservations/{token}/reschedule", json={**body, **extra}
    )


async def states(client: httpx.AsyncClient, world: World, day: date) -> dict[str, str]:
    floor = (await client.get(f"{base(world)}/nights/{day.isoformat()}/floor")).json()
    return {t["label"]: t["state"] for t in floor["tables"]}
