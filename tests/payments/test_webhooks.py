"""Checkout and the Stripe webhook end to end: the SDK speaks HTTP to a local Stripe,
events are signed with the SDK's own signer (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from payments.testmode import FakeStripe
from tests.conftest import FakeClock
from tests.factories import World
from tests.payments.conftest import (
    DEPOSIT,
    base,
    book,
    checkout,
    deliver,
    signed,
    status_of,
)
from venue.core.db import session_factory
from venue.models import AuditEntry, OutboxEvent, Payment, Refund, StripeEvent


async def count(engine: AsyncEngine, stmt: object) -> int:
    async with session_factory(engine)() as s:
        return int(await s.scalar(stmt) or 0)  # type: ignore[call-overload]


async def topics(engine: AsyncEngine, rid: str, topic: str) -> int:
    return await count(
        engine,
        select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.topic == topic, OutboxEvent.payload["id"].as_string() == rid),
    )


async def payments_of(engine: AsyncEngine, rid: str) -> list[Payment]:
    async with session_factory(engine)() as s:
        rows = await s.scalars(select(Payment).where(Payment.reservation_id == uuid.UUID(rid)))
        return list(rows)


async def test_checkout_session_carries_deposit_metadata_and_key(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, clock: FakeClock
) -> None:
    rid, token = await book(pay, world)
    first = await checkout(pay, world, token)
    created = fake.calls("POST", "/v1/checkout/sessions")
    assert len(created) == 1
    call = created[0]
    assert call.idempotency_key == f"checkout:{rid}:1"
    assert call.params["line_items[0][price_data][unit_amount]"] == str(DEPOSIT)
    assert call.params["line_items[0][price_data][currency]"] == "gbp"
    assert call.params["metadata[reservation_id]"] == rid
    assert call.params["metadata[tenant_id]"] == str(world.venue.tenant_id)
    expires = datetime.fromisoformat(first["expires_at"])
    assert expires >= clock.now + timedelta(minutes=30)
    assert first["amount"] == DEPOSIT and first["currency"] == "GBP" and not first["test_mode"]
    # The table stays held at least as long as the session.
    found = (await pay.get(f"{base(world)}/reservations/{token}")).json()
    assert datetime.fromisoformat(found["expires_at"]) >= expires
    # Asking again (a page reload) hands out the same session without calling Stripe.
    again = await checkout(pay, world, token)
    assert again["checkout_url"] == first["checkout_url"]
    assert len(fake.calls("POST", "/v1/checkout/sessions")) == 1


async def test_paid_confirms_once_despite_duplicates(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, engine: AsyncEngine
) -> None:
    rid, token = await book(pay, world)
    sid = (await checkout(pay, world, token))["session_id"]
    event = fake.event("checkout.session.completed", fake.complete(sid))
    for _ in range(3):
        r = await deliver(pay, event)
        assert r.status_code == 200, r.text
    assert await status_of(pay, world, token) == "confirmed"
    assert [(p.amount, p.outcome) for p in await payments_of(engine, rid)] == [
        (DEPOSIT, "confirmed")
    ]
    assert await topics(engine, rid, "reservation.confirmed") == 1
    floor = (await pay.get(f"{base(world)}/nights/2026-11-21/floor")).json()
    assert {t["label"]: t["state"] for t in floor["tables"]}["T1"] == "booked"


async def test_the_same_payment_under_another_event_id_is_recorded_once(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, engine: AsyncEngine
) -> None:
    rid, token = await book(pay, world)
    sid = (await checkout(pay, world, token))["session_id"]
    paid = fake.complete(sid)
    await deliver(pay, fake.event("checkout.session.completed", paid))
    await deliver(pay, fake.event("checkout.session.async_payment_succeeded", paid))
    assert len(await payments_of(engine, rid)) == 1
    assert await topics(engine, rid, "reservation.confirmed") == 1
    assert fake.calls("POST", "/v1/refunds") == []


async def test_two_deliveries_at_once_apply_once(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, engine: AsyncEngine
) -> None:
    rid, token = await book(pay, world)
    sid = (await checkout(pay, world, token))["session_id"]
    event = fake.event("checkout.session.completed", fake.complete(sid))
    answers = await asyncio.gather(*(deliver(pay, event) for _ in range(4)))
    assert [a.status_code for a in answers] == [200] * 4
    assert await status_of(pay, world, token) == "confirmed"
    assert len(await payments_of(engine, rid)) == 1
    assert await topics(engine, rid, "reservation.confirmed") == 1
    assert (
        await count(engine, select(StripeEvent.attempts).where(StripeEvent.id == event["id"])) == 1
    )


async def test_expiry_releases_the_table(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe
) -> None:
    _, token = await book(pay, world)
    sid = (await checkout(pay, world, token))["session_id"]
    r = await deliver(pay, fake.event("checkout.session.expired", fake.expire_now(sid)))
    assert r.status_code == 200
    assert await status_of(pay, world, token) == "expired"
    floor = (await pay.get(f"{base(world)}/nights/2026-11-21/floor")).json()
    assert all(t["state"] == "free" for t in floor["tables"])


async def test_expired_after_completed_does_not_undo_the_confirmation(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, engine: AsyncEngine
) -> None:
    rid, token = await book(pay, world)
    sid = (await checkout(pay, world, token))["session_id"]
    open_session = dict(fake.sessions[sid])
    completed = fake.event("checkout.session.completed", fake.complete(sid))
    stale_expiry = fake.event("checkout.session.expired", {**open_session, "status": "expired"})
    await deliver(pay, completed)
    await deliver(pay, stale_expiry)
    assert await status_of(pay, world, token) == "confirmed"
    # And the other way round: the expiry first, then the payment (re-seated, table free).
    rid2, token2 = await book(pay, world, "T2")
    sid2 = (await checkout(pay, world, token2))["session_id"]
    snapshot = dict(fake.sessions[sid2])
    paid2 = fake.complete(sid2)
    await deliver(pay, fake.event("checkout.session.expired", {**snapshot, "status": "expired"}))
    assert await status_of(pay, world, token2) == "expired"
    await deliver(pay, fake.event("checkout.session.completed", paid2))
    assert await status_of(pay, world, token2) == "confirmed"
    assert [p.outcome for p in await payments_of(engine, rid2)] == ["reseated"]
    assert await topics(engine, rid, "reservation.confirmed") == 1


async def test_unpaid_completion_waits_for_the_async_result(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe
) -> None:
    _, token = await book(pay, world)
    sid = (await checkout(pay, world, token))["session_id"]
    await deliver(pay, fake.event("checkout.session.completed", fake.complete(sid, paid=False)))
    assert await status_of(pay, world, token) == "pending_payment"
    failed = fake.settle(sid, succeeded=False)
    await deliver(pay, fake.event("checkout.session.async_payment_failed", failed))
    assert await status_of(pay, world, token) == "expired"


async def test_bad_signatures_are_refused_and_nothing_is_stored(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, engine: AsyncEngine
) -> None:
    _, token = await book(pay, world)
    sid = (await checkout(pay, world, token))["session_id"]
    event = fake.event("checkout.session.completed", fake.complete(sid))
    body, headers = signed(event)
    tampered = body.replace(b'"paid"', b'"unpaid"', 1)
    assert tampered != body
    refused = await pay.post("/api/v1/payments/stripe/webhook", content=tampered, headers=headers)
    wrong = await deliver(pay, event, secret="whsec_someone_else")
    unsigned = await pay.post("/api/v1/payments/stripe/webhook", content=body)
    for r in (refused, wrong, unsigned):
        assert r.status_code == 400
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "bad_signature"
    stored = select(func.count()).select_from(StripeEvent).where(StripeEvent.id == event["id"])
    assert await count(engine, stored) == 0
    assert await status_of(pay, world, token) == "pending_payment"


async def test_late_payment_is_reseated_when_the_table_is_still_free(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, clock: FakeClock, engine: AsyncEngine
) -> None:
    rid, token = await book(pay, world)
    sid = (await checkout(pay, world, token))["session_id"]
    clock.advance(hours=1)  # the hold lapsed; nobody took the table
    await deliver(pay, fake.event("checkout.session.completed", fake.complete(sid)))
    assert await status_of(pay, world, token) == "confirmed"
    assert [p.outcome for p in await payments_of(engine, rid)] == ["reseated"]
    late = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.topic == "payment.late")
    assert (
        await count(engine, late.where(OutboxEvent.payload["reservation_id"].as_string() == rid))
        == 1
    )
    assert fake.calls("POST", "/v1/refunds") == []


async def test_late_payment_is_refunded_once_when_the_table_went(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, clock: FakeClock, engine: AsyncEngine
) -> None:
    rid, token = await book(pay, world)
    sid = (await checkout(pay, world, token))["session_id"]
    clock.advance(hours=1)
    await book(pay, world)  # someone else takes T1 after the hold lapsed
    event = fake.event("checkout.session.completed", fake.complete(sid))
    await deliver(pay, event)
    await deliver(pay, event)
    assert await status_of(pay, world, token) == "expired"
    assert [p.outcome for p in await payments_of(engine, rid)] == ["refunded"]
    calls = fake.calls("POST", "/v1/refunds")
    assert len(calls) == 1 and calls[0].params["amount"] == str(DEPOSIT)
    assert calls[0].idempotency_key and calls[0].idempotency_key.startswith("refund:late_payment:")
    async with session_factory(engine)() as s:
        refund = (
            await s.scalars(select(Refund).where(Refund.reservation_id == uuid.UUID(rid)))
        ).one()
        assert (refund.status, refund.amount, refund.reason) == (
            "succeeded",
            DEPOSIT,
            "late_payment",
        )
        late = await s.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "payment.late", AuditEntry.entity_id == rid
            )
        )
        assert late is not None and late.after and late.after["outcome"] == "refunded"


async def test_cancel_refunds_by_policy_once(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, engine: AsyncEngine
) -> None:
    rid, token = await book(pay, world)
    sid = (await checkout(pay, world, token))["session_id"]
    await deliver(pay, fake.event("checkout.session.completed", fake.complete(sid)))
    # Now is Friday 12:00; the night starts Saturday 22:00 London: 34 h, the half band.
    first = await pay.post(f"{base(world)}/reservations/{token}/cancel")
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "cancelled"
    assert first.json()["refund"] == {
        "amount": DEPOSIT // 2,
        "currency": "GBP",
        "refund_bp": 5000,
        "status": "succeeded",
    }
    second = await pay.post(f"{base(world)}/reservations/{token}/cancel")
    assert second.json()["refund"]["amount"] == DEPOSIT // 2
    calls = fake.calls("POST", "/v1/refunds")
    assert len(calls) == 1 and calls[0].params["amount"] == str(DEPOSIT // 2)
    # Stripe's charge.refunded names the same refund: recorded, not added.
    intent = fake.sessions[sid]["payment_intent"]
    await deliver(pay, fake.event("charge.refunded", fake.charge_of(intent)))
    async with session_factory(engine)() as s:
        rows = list(await s.scalars(select(Refund).where(Refund.reservation_id == uuid.UUID(rid))))
    assert [(r.amount, r.reason, r.status) for r in rows] == [(DEPOSIT // 2, "policy", "succeeded")]
    assert (
        await count(
            engine,
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.topic == "payment.refunded",
                OutboxEvent.payload["reservation_id"].as_string() == rid,
            ),
        )
        == 1
    )


async def test_cancelling_before_paying_stops_the_checkout(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, engine: AsyncEngine
) -> None:
    _rid, token = await book(pay, world)
    sid = (await checkout(pay, world, token))["session_id"]
    cancelled = await pay.post(f"{base(world)}/reservations/{token}/cancel")
    assert cancelled.json()["refund"] is None
    assert fake.sessions[sid]["status"] == "expired"
    assert len(fake.calls("POST", f"/v1/checkout/sessions/{sid}/expire")) == 1


async def test_refunds_made_in_the_dashboard_are_recorded(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, engine: AsyncEngine
) -> None:
    rid, token = await book(pay, world)
    sid = (await checkout(pay, world, token))["session_id"]
    await deliver(pay, fake.event("checkout.session.completed", fake.complete(sid)))
    intent = fake.sessions[sid]["payment_intent"]
    status, _ = fake.handle(
        "POST",
        "/v1/refunds",
        {"Authorization": "Bearer sk_test_dashboard"},
        f"payment_intent={intent}&amount=2500",
    )
    assert status == 200
    event = fake.event("charge.refunded", fake.charge_of(intent))
    await deliver(pay, event)
    await deliver(pay, event)
    async with session_factory(engine)() as s:
        rows = list(await s.scalars(select(Refund).where(Refund.reservation_id == uuid.UUID(rid))))
    assert [(r.amount, r.reason) for r in rows] == [(2500, "external")]
