"""The money difference of a reschedule, both ways, through the TEST MODE checkout: the
deposit carries over, a higher one waits for a top-up of the difference, a lower one is
refunded by the venue's policy."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from payments.webhooks import retry_pending
from tests.conftest import FakeClock
from tests.factories import World
from venue.core.db import session_factory
from venue.models import Payment, Refund
from web.sweeper import sweep_once

from .conftest import (
    FRI,
    NEAR,
    SAT,
    STANDARD_DEPOSIT,
    VIP_DEPOSIT,
    book,
    move,
    pay,
    reservation,
    states,
)


async def money_of(engine: AsyncEngine, rid: str) -> tuple[list[int], list[tuple[int, str]]]:
    async with session_factory(engine)() as s:
        paid = list(
            await s.scalars(
                select(Payment.amount)
                .where(Payment.reservation_id == uuid.UUID(rid))
                .order_by(Payment.created_at)
            )
        )
        refunded = [
            (r.amount, r.reason)
            for r in await s.scalars(select(Refund).where(Refund.reservation_id == uuid.UUID(rid)))
        ]
    return paid, refunded


async def test_a_higher_deposit_waits_for_the_top_up_through_checkout(
    client: httpx.AsyncClient, paid_world: World, engine: AsyncEngine
) -> None:
    world = paid_world
    booked = await book(client, world, SAT, "T1")  # standard: 100.00 paid
    moved = await move(client, world, booked["token"], FRI, "T2")  # vip: 200.00
    assert moved.status_code == 200, moved.text
    out = moved.json()
    assert out["status"] == "pending_payment" and out["deposit"] == VIP_DEPOSIT
    assert out["settlement"]["top_up"] == VIP_DEPOSIT - STANDARD_DEPOSIT
    assert out["settlement"]["minimum_difference"] == 50000
    assert out["refund"] is None
    # The new table is held while the guest pays; the old one is free.
    assert (await states(client, world, FRI))["T2"] == "pending"
    assert (await states(client, world, SAT))["T1"] == "free"

    started = await pay(client, world, booked["token"])
    assert started["amount"] == VIP_DEPOSIT - STANDARD_DEPOSIT  # only the difference
    after = await reservation(client, world, booked["token"])
    assert after["status"] == "confirmed" and after["date"] == FRI.isoformat()
    assert (await states(client, world, FRI))["T2"] == "booked"
    paid, refunded = await money_of(engine, booked["id"])
    assert paid == [STANDARD_DEPOSIT, VIP_DEPOSIT - STANDARD_DEPOSIT] and refunded == []


async def test_an_unpaid_top_up_lapses_and_gives_the_first_deposit_back(
    client: httpx.AsyncClient, paid_world: World, engine: AsyncEngine, clock: FakeClock
) -> None:
    """The guest moved to a dearer table and never paid the difference: the booking
    lapses with its payment hold, and the deposit they had paid comes back in full (the
    old table went back on sale with the move), once, whatever the number of passes."""
    world = paid_world
    booked = await book(client, world, SAT, "T1")  # standard: 100.00 paid
    moved = await move(client, world, booked["token"], FRI, "T2")  # vip: 200.00, top-up due
    assert moved.json()["status"] == "pending_payment"
    app = client.app  # type: ignore[attr-defined]

    await sweep_once(app.state.sessions, clock.now)  # still inside the payment hold
    assert await money_of(engine, booked["id"]) == ([STANDARD_DEPOSIT], [])

    clock.advance(minutes=31)
    assert await sweep_once(app.state.sessions, clock.now) >= 1
    await sweep_once(app.state.sessions, clock.now + timedelta(minutes=1))  # a second pass
    assert (await reservation(client, world, booked["token"]))["status"] == "expired"
    assert await money_of(engine, booked["id"]) == (
        [STANDARD_DEPOSIT],
        [(STANDARD_DEPOSIT, "lapsed")],
    )
    # The payments follow-up job sends it to Stripe (the TEST MODE fake here).
    await retry_pending(app.state.sessions, app.state.stripe, clock.now)
    async with session_factory(engine)() as s:
        (refund,) = await s.scalars(
            select(Refund).where(Refund.reservation_id == uuid.UUID(booked["id"]))
        )
        assert refund.status == "succeeded" and refund.stripe_refund_id


async def test_a_lower_deposit_is_refunded_by_the_policy(
    client: httpx.AsyncClient, paid_world: World, engine: AsyncEngine
) -> None:
    world = paid_world
    booked = await book(client, world, SAT, "T2")  # vip: 200.00 paid, a week ahead
    difference = VIP_DEPOSIT - STANDARD_DEPOSIT
    preview = await client.post(
        f"/api/v1/venues/{world.venue.slug}/reservations/{booked['token']}/reschedule/preview",
        json={"date": FRI.isoformat(), "table_ids": [str(world.table("T1").id)]},
    )
    assert preview.json()["refund"]["amount"] == difference  # all of it, 48 h+ ahead
    moved = await move(client, world, booked["token"], FRI, "T1")
    assert moved.status_code == 200, moved.text
    out = moved.json()
    assert out["status"] == "confirmed" and out["deposit"] == STANDARD_DEPOSIT
    assert out["settlement"]["refund_due"] == difference
    assert out["refund"] == {
        "amount": difference,
        "currency": "GBP",
        "refund_bp": 10000,
        "status": "succeeded",
    }
    paid, refunded = await money_of(engine, booked["id"])
    assert paid == [VIP_DEPOSIT] and refunded == [(difference, "reschedule")]


async def test_the_policy_counts_from_the_booking_as_it_was(
    client: httpx.AsyncClient, paid_world: World, engine: AsyncEngine
) -> None:
    """Moving a booking 34 hours away to a cheaper table next week: the policy's 24-hour
    rule gives half of the difference back, as cancelling it would."""
    world = paid_world
    booked = await book(client, world, NEAR, "T2")
    moved = await move(client, world, booked["token"], FRI, "T1")
    assert moved.status_code == 200, moved.text
    half = (VIP_DEPOSIT - STANDARD_DEPOSIT) // 2
    assert moved.json()["refund"]["amount"] == half
    assert moved.json()["refund"]["refund_bp"] == 5000
    _, refunded = await money_of(engine, booked["id"])
    assert refunded == [(half, "reschedule")]


async def test_the_same_deposit_carries_over_untouched(
    client: httpx.AsyncClient, paid_world: World, engine: AsyncEngine
) -> None:
    world = paid_world
    booked = await book(client, world, SAT, "T1")
    moved = await move(client, world, booked["token"], FRI, "T3")  # also standard
    assert moved.json()["status"] == "confirmed" and moved.json()["refund"] is None
    assert await money_of(engine, booked["id"]) == ([STANDARD_DEPOSIT], [])
