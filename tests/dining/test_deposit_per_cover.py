"""A restaurant's deposit per cover: a rule row (``per_cover``) edited through the pricing
API, quoted at the hold as the amount times the party, and paid as quoted through the
TEST MODE checkout."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from pricing import DepositBasis, Money, Quote, booking_deposit
from tests.api.test_pricing_api import add_staff, sign_in
from tests.dining.test_api import NOW, SAT
from tests.factories import World, create_restaurant, open_restaurant_night
from venue.core.db import session_factory
from venue.dining.rules import Period

GUEST = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "07911 123456"}


def pricing(deposit: dict[str, Any]) -> dict[str, Any]:
    return {
        "currency": "GBP",
        "rounding_step": 100,
        "tiers": [{"tier": "standard", "base_minimum": 0, "floor": None, "ceiling": None}],
        "adjustments": [],
        "deposits": [deposit],
    }


async def restaurant(engine: AsyncEngine) -> World:
    periods = [Period("Dinner", time(18, 0), time(18, 30), 20, weekday=SAT.weekday())]
    async with session_factory(engine)() as s, s.begin():
        w = await create_restaurant(s, tables=[("A", 1, 2), ("C", 1, 6)], periods=periods)
        w.venue.email = f"{w.venue.slug}@venue.test"
        await open_restaurant_night(s, w, SAT, now=NOW)
        return w


async def hold(client: httpx.AsyncClient, w: World, day: date, party: int) -> dict[str, Any]:
    base = f"/api/v1/venues/{w.venue.slug}"
    got = await client.get(f"{base}/nights/{day}/sittings", params={"party_size": party})
    first = got.json()["starts"][0]["starts_at"]
    held = await client.post(
        f"{base}/holds", json={"date": str(day), "party_size": party, "starts_at": first}
    )
    assert held.status_code == 201, held.text
    return dict(held.json())


async def test_a_per_cover_deposit_is_quoted_at_the_hold_and_paid_as_quoted(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await restaurant(engine)
    slug = w.venue.slug
    csrf = await sign_in(client, await add_staff(engine, w, "manager"))
    url = f"/api/v1/staff/venues/{slug}/pricing"
    bad = await client.put(
        url, json=pricing({"mode": "per_cover", "value": -5, "tier": None}), headers=csrf
    )
    assert bad.status_code == 422, bad.text
    assert "deposits[0].value" in bad.text
    unknown = await client.put(
        url, json=pricing({"mode": "per_head", "value": 1000, "tier": None}), headers=csrf
    )
    assert unknown.status_code == 422 and "deposits[0].mode" in unknown.text
    ok = await client.put(
        url, json=pricing({"mode": "per_cover", "value": 1000, "tier": None}), headers=csrf
    )
    assert ok.status_code == 200, ok.text
    assert (await client.get(url)).json()["deposits"][0]["mode"] == "per_cover"

    five = await hold(client, w, SAT, 5)
    assert five["reservation"]["deposit"] == 5000
    two = await hold(client, w, SAT, 2)
    assert two["reservation"]["deposit"] == 2000

    base = f"/api/v1/venues/{slug}"
    rid, token = five["reservation"]["id"], five["token"]
    # The rule changes after the hold: the guest still pays what was quoted then.
    await client.put(
        url, json=pricing({"mode": "per_cover", "value": 3000, "tier": None}), headers=csrf
    )
    done = await client.post(f"{base}/holds/{rid}/complete", json={"token": token, "guest": GUEST})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "pending_payment"
    started = await client.post(f"{base}/reservations/{token}/checkout")
    assert started.status_code == 200, started.text
    assert started.json()["amount"] == 5000 and started.json()["currency"] == "GBP"
    path = httpx.URL(started.json()["checkout_url"]).path
    assert (await client.post(f"{path}/pay")).status_code == 303
    view = (await client.get(f"{base}/reservations/{token}")).json()
    assert view["status"] == "confirmed"


def test_per_cover_is_once_per_booking_over_joined_tables() -> None:
    per_cover = DepositBasis("per_cover", 1000, "venue")
    table = Quote(Money(0, "GBP"), Money(0, "GBP"), (), per_cover)
    flat = Quote(Money(5000, "GBP"), Money(700, "GBP"), (), DepositBasis("flat", 700, "tier"))
    assert booking_deposit([table, table], 6) == 6000
    assert booking_deposit([table, flat], 3) == 3700
    assert booking_deposit([flat], 3) == 700
    assert booking_deposit([], 4) == 0
