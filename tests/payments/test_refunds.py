"""Refunds through the API: the venue's own rule rows at each boundary, staff overrides
(manager only, CSRF, audited with the reason), never refunding more than was paid."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from payments.testmode import FakeStripe
from tests.api.test_pricing_api import add_staff, sign_in
from tests.conftest import FakeClock
from tests.factories import World
from tests.payments.conftest import DEPOSIT, base, book, checkout, deliver
from venue.core.db import session_factory
from venue.models import AuditEntry, Refund
from venue.money import ledger

# The night starts Saturday 21 November 22:00 in London (22:00 UTC).
START = datetime(2026, 11, 21, 22, tzinfo=UTC)
RULES = [(72, 10000), (24, 2500)]


async def paid_booking(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, label: str = "T1"
) -> tuple[str, str]:
    rid, token = await book(pay, world, label)
    sid = (await checkout(pay, world, token))["session_id"]
    r = await deliver(pay, fake.event("checkout.session.completed", fake.complete(sid)))
    assert r.status_code == 200
    return rid, token


@pytest.mark.parametrize(
    ("cancel_at", "refunded"),
    [
        (START - timedelta(hours=72), DEPOSIT),
        (START - timedelta(hours=72) + timedelta(seconds=1), DEPOSIT // 4),
        (START - timedelta(hours=24), DEPOSIT // 4),
        (START - timedelta(hours=24) + timedelta(seconds=1), 0),
    ],
)
async def test_venue_rules_at_each_boundary(
    pay: httpx.AsyncClient,
    world: World,
    fake: FakeStripe,
    clock: FakeClock,
    engine: AsyncEngine,
    cancel_at: datetime,
    refunded: int,
) -> None:
    async with session_factory(engine)() as s, s.begin():
        await ledger.set_refund_rules(s, world.venue, RULES)
    clock.now = datetime(2026, 11, 18, 12, tzinfo=UTC)
    _, token = await paid_booking(pay, world, fake)
    clock.now = cancel_at
    r = await pay.post(f"{base(world)}/reservations/{token}/cancel")
    assert r.status_code == 200, r.text
    refund = r.json()["refund"]
    assert refund["amount"] == refunded and refund["currency"] == "GBP"
    assert refund["refund_bp"] == refunded * 10000 // DEPOSIT
    calls = fake.calls("POST", "/v1/refunds")
    assert [c.params["amount"] for c in calls] == ([str(refunded)] if refunded else [])


async def test_staff_override_is_audited_and_capped(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, engine: AsyncEngine
) -> None:
    rid, _ = await paid_booking(pay, world, fake)
    url = f"/api/v1/staff/reservations/{rid}/refunds"
    floor = await add_staff(engine, world, "floor")
    floor_headers = await sign_in(pay, floor)
    denied = await pay.post(url, json={"amount": 100, "reason": "nope"}, headers=floor_headers)
    assert denied.status_code == 403
    pay.cookies.clear()
    manager = await add_staff(engine, world, "manager")
    headers = await sign_in(pay, manager)
    no_csrf = await pay.post(url, json={"amount": 100, "reason": "goodwill"})
    assert no_csrf.status_code == 403 and no_csrf.json()["code"] == "forbidden"
    body = {"amount": 3000, "reason": "Goodwill: the DJ cancelled"}
    keyed = {**headers, "Idempotency-Key": "click-1"}
    first = await pay.post(url, json=body, headers=keyed)
    again = await pay.post(url, json=body, headers=keyed)  # a double click
    assert first.status_code == again.status_code == 201, first.text
    refunds = first.json()[0]["refunds"]
    assert [(r["amount"], r["reason"], r["status"]) for r in refunds] == [
        (3000, "staff_override", "succeeded")
    ]
    assert len(fake.calls("POST", "/v1/refunds")) == 1
    too_much = await pay.post(url, json={"amount": DEPOSIT, "reason": "all of it"}, headers=headers)
    assert too_much.status_code == 422 and too_much.json()["code"] == "invalid"
    async with session_factory(engine)() as s:
        audit = (
            await s.scalars(
                select(AuditEntry).where(
                    AuditEntry.tenant_id == world.venue.tenant_id,
                    AuditEntry.action == "refund.staff_override",
                )
            )
        ).one()
        assert audit.actor.startswith("staff:")
        assert audit.after and audit.after["note"] == "Goodwill: the DJ cancelled"
        assert audit.after["amount"] == 3000
    listed = await pay.get(f"/api/v1/staff/reservations/{rid}/payments")
    assert listed.json()[0]["amount"] == DEPOSIT


async def test_staff_of_another_tenant_see_nothing(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe, engine: AsyncEngine
) -> None:
    rid, _ = await paid_booking(pay, world, fake)
    from tests.factories import create_venue

    async with session_factory(engine)() as s, s.begin():
        other = await create_venue(s)
    headers = await sign_in(pay, await add_staff(engine, other, "manager"))
    r = await pay.post(
        f"/api/v1/staff/reservations/{rid}/refunds",
        json={"amount": 100, "reason": "not mine"},
        headers=headers,
    )
    assert r.status_code == 404
    async with session_factory(engine)() as s:
        rows = await s.scalars(select(Refund).where(Refund.reservation_id == uuid.UUID(rid)))
        assert list(rows) == []


async def test_staff_cancellation_refunds_by_the_same_policy(
    pay: httpx.AsyncClient,
    world: World,
    fake: FakeStripe,
    clock: FakeClock,
    engine: AsyncEngine,
) -> None:
    async with session_factory(engine)() as s, s.begin():
        await ledger.set_refund_rules(s, world.venue, RULES)
    clock.now = datetime(2026, 11, 18, 12, tzinfo=UTC)
    rid, token = await paid_booking(pay, world, fake)
    clock.now = START - timedelta(hours=30)  # between 72 h and 24 h: a quarter back
    headers = await sign_in(pay, await add_staff(engine, world, "floor"))
    r = await pay.post(
        f"/api/v1/staff/venues/{world.venue.slug}/reservations/{rid}/cancel",
        json={"reason": "Guest called: flight cancelled"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    assert r.json()["refund"]["amount"] == DEPOSIT // 4
    assert [c.params["amount"] for c in fake.calls("POST", "/v1/refunds")] == [str(DEPOSIT // 4)]
    # The guest's own cancel afterwards changes nothing and refunds nothing more.
    again = await pay.post(f"{base(world)}/reservations/{token}/cancel")
    assert again.json()["status"] == "cancelled"
    assert len(fake.calls("POST", "/v1/refunds")) == 1
