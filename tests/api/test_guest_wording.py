"""What a guest reads: the price's steps in words, and a deposit that was received."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.conftest import NOW, SAT
from tests.factories import World, create_night_for, create_venue
from venue.core.actor import Actor
from venue.core.db import session_factory
from venue.models import Reservation, Status
from venue.money import ledger
from venue.reservations import booking

GUEST = {"name": "Ada Lovelace", "email": "ada@example.com"}


@pytest.fixture
async def with_deposit(engine: AsyncEngine) -> World:
    async with session_factory(engine)() as s, s.begin():
        w = await create_venue(s, tables=2, deposit_bp=2500)
        await create_night_for(s, w, SAT, now=NOW)
        return w


async def test_the_price_explains_itself_in_words(client: httpx.AsyncClient, world: World) -> None:
    table = world.table("T1")
    url = f"/api/v1/venues/{world.venue.slug}/nights/{SAT}/tables/{table.id}/quote"
    quote = (await client.get(url)).json()
    base = quote["lines"][0]
    assert base["kind"] == "base"
    assert base["label"] == f"{table.tier.capitalize()} table minimum spend"
    assert all("tier base" not in line["label"] for line in quote["lines"])


async def test_a_paid_deposit_is_reported_as_received(
    client: httpx.AsyncClient, with_deposit: World, engine: AsyncEngine
) -> None:
    slug = with_deposit.venue.slug
    body = {
        "date": SAT.isoformat(),
        "table_ids": [str(with_deposit.table("T1").id)],
        "party_size": 2,
    }
    placed = (await client.post(f"/api/v1/venues/{slug}/holds", json=body)).json()
    done = await client.post(
        f"/api/v1/venues/{slug}/holds/{placed['reservation']['id']}/complete",
        json={"token": placed["token"], "guest": GUEST},
    )
    assert done.json()["status"] == "pending_payment" and done.json()["deposit_paid"] == 0
    deposit = done.json()["deposit"]
    assert deposit > 0
    async with session_factory(engine)() as s, s.begin():  # what the payment webhook does
        res = await s.get(Reservation, uuid.UUID(done.json()["id"]))
        assert res is not None
        stripe = Actor("system", "stripe")
        await booking.transition(s, res, Status.CONFIRMED, stripe, NOW)
        await ledger.add_payment(
            s,
            res,
            session_id="cs_test_1",
            intent_id="pi_test_1",
            amount=deposit,
            currency="gbp",
            outcome="confirmed",
            actor=stripe,
            now=NOW,
        )
    found = (await client.get(f"/api/v1/venues/{slug}/reservations/{placed['token']}")).json()
    assert found["status"] == "confirmed" and found["deposit_paid"] == deposit
