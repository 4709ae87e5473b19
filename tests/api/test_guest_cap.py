"""The per-guest daily cap through the API: who counts as the same guest, which bookings
count, and a refusal that gives the table back and says what to do."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.conftest import NOW, SAT
from tests.conftest import FakeClock
from tests.factories import World, create_night_for, create_venue
from venue.core.db import session_factory

ADA = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 7700 900123"}


@pytest.fixture
async def capped(engine: AsyncEngine) -> World:
    """Cap 1, a deposit on every table (so a booking can wait for its deposit)."""
    async with session_factory(engine)() as s, s.begin():
        w = await create_venue(s, tables=4, deposit_bp=2500, rules={"per_guest_daily_cap": 1})
        await create_night_for(s, w, SAT, now=NOW)
        return w


def base(world: World) -> str:
    return f"/api/v1/venues/{world.venue.slug}"


async def book(
    client: httpx.AsyncClient, world: World, label: str, guest: dict[str, Any]
) -> tuple[httpx.Response, dict[str, Any]]:
    body = {"date": SAT.isoformat(), "table_ids": [str(world.table(label).id)], "party_size": 2}
    placed = (await client.post(f"{base(world)}/holds", json=body)).json()
    done = await client.post(
        f"{base(world)}/holds/{placed['reservation']['id']}/complete",
        json={"token": placed["token"], "guest": guest},
    )
    return done, placed


async def states(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    floor = (await client.get(f"{base(world)}/nights/{SAT}/floor")).json()
    return {t["label"]: t["state"] for t in floor["tables"]}


async def test_the_same_phone_with_another_email_is_the_same_guest_and_the_table_is_released(
    client: httpx.AsyncClient, capped: World
) -> None:
    first, _ = await book(client, capped, "T1", ADA)
    assert first.json()["status"] == "pending_payment"
    again = {**ADA, "email": "ada.l@example.org"}
    refused, placed = await book(client, capped, "T2", again)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code"] == "guest_daily_cap" and problem["released"] is True
    assert problem["cap"] == 1 and problem["booked"] == 1 and problem["date"] == SAT.isoformat()
    assert "cancel it with the link in its confirmation" in problem["detail"]
    assert "released" in problem["detail"]
    # The refusal gave the table back at once, not when the hold runs out.
    assert (await states(client, capped))["T2"] == "free"
    looked = await client.get(f"{base(capped)}/reservations/{placed['token']}")
    assert looked.json()["status"] == "cancelled"
    # The same email with another phone is the same guest too.
    by_email, _ = await book(client, capped, "T3", {**ADA, "phone": "+44 7700 900999"})
    assert by_email.status_code == 409 and by_email.json()["code"] == "guest_daily_cap"
    # Someone else entirely books as usual.
    other = {"name": "Grace Hopper", "email": "grace@example.com", "phone": "+44 7700 900456"}
    ok, _ = await book(client, capped, "T4", other)
    assert ok.status_code == 200, ok.text


async def test_a_booking_whose_deposit_lapsed_no_longer_counts(
    client: httpx.AsyncClient, capped: World, clock: FakeClock
) -> None:
    first, _ = await book(client, capped, "T1", ADA)
    assert first.json()["status"] == "pending_payment"
    clock.advance(minutes=31)  # the 30-minute payment hold ran out (not yet swept)
    second, _ = await book(client, capped, "T2", ADA)
    assert second.status_code == 200, second.text
    assert second.json()["status"] == "pending_payment"


async def test_a_confirmed_booking_counts(client: httpx.AsyncClient, world: World) -> None:
    """The default cap (2) with no deposit: the third booking that night is refused."""
    for label in ("T1", "T2"):
        done, _ = await book(client, world, label, ADA)
        assert done.json()["status"] == "confirmed"
    refused, _ = await book(client, world, "T3", ADA)
    assert refused.status_code == 409 and refused.json()["booked"] == 2


async def test_possible_numbers_are_accepted_and_a_refusal_shows_the_format(
    client: httpx.AsyncClient, world: World
) -> None:
    done, _ = await book(client, world, "T1", {"name": "Ada", "phone": "+44 7700 900123"})
    assert done.status_code == 200, done.text
    national, _ = await book(client, world, "T2", {"name": "Bo", "phone": "07700 900124"})
    assert national.status_code == 200, national.text
    bad, _ = await book(client, world, "T3", {"name": "Cy", "phone": "0770"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    error = bad.json()["errors"][0]
    assert error["field"] == "guest.phone"
    assert "too short" in error["message"] and "+44" in error["message"]
