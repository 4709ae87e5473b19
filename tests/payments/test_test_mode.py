"""Without Stripe keys: an unmistakable test page stands in for Stripe and sends signed
events through the same webhook path (the demo's flow, end to end)."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import World
from tests.payments.conftest import DEPOSIT, base, book, checkout, status_of


async def test_pay_on_the_test_page_then_cancel_for_half(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    _, token = await book(client, world)
    started = await checkout(client, world, token)
    assert started["test_mode"] is True
    url = httpx.URL(started["checkout_url"])
    assert url.path.startswith("/pay/test/cs_test_")
    page = await client.get(url.path)
    assert page.status_code == 200 and "TEST MODE — no real money" in page.text
    assert "<script" not in page.text and "style=" not in page.text
    paid = await client.post(f"{url.path}/pay")
    assert paid.status_code == 303
    assert paid.headers["location"].endswith(f"/r/{token}?payment=done")
    assert await status_of(client, world, token) == "confirmed"
    floor = (await client.get(f"{base(world)}/nights/2026-11-21/floor")).json()
    assert {t["label"]: t["state"] for t in floor["tables"]}["T1"] == "booked"
    cancelled = (await client.post(f"{base(world)}/reservations/{token}/cancel")).json()
    assert cancelled["refund"] == {
        "amount": DEPOSIT // 2,
        "currency": "GBP",
        "refund_bp": 5000,
        "status": "succeeded",
    }


async def test_cancel_on_the_test_page_releases_the_table(
    client: httpx.AsyncClient, world: World
) -> None:
    _, token = await book(client, world)
    path = httpx.URL((await checkout(client, world, token))["checkout_url"]).path
    gone = await client.post(f"{path}/cancel")
    assert gone.status_code == 303 and gone.headers["location"].endswith("payment=cancelled")
    assert await status_of(client, world, token) == "expired"


async def test_the_test_page_is_not_there_with_real_keys(
    pay: httpx.AsyncClient, world: World
) -> None:
    _, token = await book(pay, world)
    started = await checkout(pay, world, token)
    assert started["test_mode"] is False
    assert (await pay.get(f"/pay/test/{started['session_id']}")).status_code == 404
