"""The commission ledger through every lifecycle path, driven by the outbox consumer."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock
from tests.staff.conftest import SERVICE
from venue.core.actor import SYSTEM
from venue.core.db import session_factory
from venue.models import Payment, Reservation
from venue.money import ledger

from .conftest import SAT, Money, base, consume, host_book, kinds, ledger_sum, sign_in


async def _act(client: httpx.AsyncClient, t: Money, csrf: dict[str, str], rid: str, what: str,
               body: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    r = await client.post(f"{base(t)}/reservations/{rid}/{what}", json=body, headers=csrf)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_confirm_accrues_and_cancel_reverses(
    client: httpx.AsyncClient, mine: Money, engine: AsyncEngine
) -> None:
    host = await sign_in(client, mine.emails["host"])
    res = await host_book(client, mine, host, "T3")
    assert res["channel"] == "host" and res["host_id"] == str(mine.host_id)
    await consume(client)
    # No rule: the host's own commission_bp (10%) of the minimum.
    assert await kinds(engine, res["id"]) == [("accrual", res["minimum"] // 10)]

    floor = await sign_in(client, mine.emails["floor"])
    await _act(client, mine, floor, res["id"], "cancel", {"reason": "guest called"})
    await consume(client)
    await consume(client)  # replay: nothing twice
    assert [k for k, _ in await kinds(engine, res["id"])] == ["accrual", "reversal"]
    assert await ledger_sum(engine, res["id"]) == 0


async def test_no_show_reverses(
    client: httpx.AsyncClient, mine: Money, engine: AsyncEngine, clock: FakeClock
) -> None:
    host = await sign_in(client, mine.emails["host"])
    res = await host_book(client, mine, host, "T3")
    clock.now = SERVICE
    floor = await sign_in(client, mine.emails["floor"])
    await _act(client, mine, floor, res["id"], "no-show")
    await consume(client)  # both events in one pass: the ledger still nets to zero
    assert await ledger_sum(engine, res["id"]) == 0


async def test_close_with_spend_settles_on_the_spend(
    client: httpx.AsyncClient, mine: Money, engine: AsyncEngine, clock: FakeClock
) -> None:
    manager = await sign_in(client, mine.emails["manager"])
    r = await client.post(
        f"{base(mine)}/commission-rules",
        json={"basis": "spend_pct", "value": 1500, "host_id": str(mine.host_id)},
        headers=manager,
    )
    assert r.status_code == 201, r.text
    host = await sign_in(client, mine.emails["host"])
    res = await host_book(client, mine, host, "T3")
    await consume(client)
    accrued = res["minimum"] * 1500 // 10000
    assert await ledger_sum(engine, res["id"]) == accrued

    clock.now = SERVICE
    floor = await sign_in(client, mine.emails["floor"])
    await _act(client, mine, floor, res["id"], "seat")
    spend = res["minimum"] * 2 + 1234
    closed = await _act(client, mine, floor, res["id"], "close", {"spend": spend})
    assert closed["status"] == "completed" and closed["spend"] == spend
    await consume(client)
    assert await kinds(engine, res["id"]) == [
        ("accrual", accrued),
        ("settlement", spend * 1500 // 10000 - accrued),
    ]
    # The spend is recorded once.
    again = await client.post(
        f"{base(mine)}/reservations/{res['id']}/spend", json={"spend": 1}, headers=floor
    )
    assert again.status_code == 409 and again.json()["code"] == "spend_already_recorded"


async def test_completed_without_spend_then_late_spend_adjusts(
    client: httpx.AsyncClient, mine: Money, engine: AsyncEngine, clock: FakeClock
) -> None:
    manager = await sign_in(client, mine.emails["manager"])
    await client.post(
        f"{base(mine)}/commission-rules",
        json={"basis": "spend_pct", "value": 1000},
        headers=manager,
    )
    host = await sign_in(client, mine.emails["host"])
    res = await host_book(client, mine, host, "T3")
    clock.now = SERVICE
    floor = await sign_in(client, mine.emails["floor"])
    await _act(client, mine, floor, res["id"], "seat")
    await _act(client, mine, floor, res["id"], "complete")
    await consume(client)
    # Settled on the minimum (no spend yet): a zero settlement line says so.
    assert await kinds(engine, res["id"]) == [("accrual", res["minimum"] // 10), ("settlement", 0)]
    await _act(client, mine, floor, res["id"], "spend", {"spend": res["minimum"] + 10000})
    await consume(client)
    assert await ledger_sum(engine, res["id"]) == (res["minimum"] + 10000) // 10


async def test_flat_rules_per_reservation_and_per_guest(
    client: httpx.AsyncClient, mine: Money, engine: AsyncEngine
) -> None:
    manager = await sign_in(client, mine.emails["manager"])
    for body in (
        {"basis": "flat_reservation", "value": 2500},
        {"basis": "flat_guest", "value": 1000, "tier": "vip"},
    ):
        assert (
            await client.post(f"{base(mine)}/commission-rules", json=body, headers=manager)
        ).status_code == 201
    host = await sign_in(client, mine.emails["host"])
    standard = await host_book(client, mine, host, "T1", party=3, name="Ann")  # T1 standard
    vip = await host_book(client, mine, host, "T2", party=5, name="Bob")  # T2 vip
    await consume(client)
    assert await ledger_sum(engine, standard["id"]) == 2500
    assert await ledger_sum(engine, vip["id"]) == 5000


async def test_refund_adjusts(
    client: httpx.AsyncClient, mine: Money, engine: AsyncEngine, clock: FakeClock
) -> None:
    host = await sign_in(client, mine.emails["host"])
    res = await host_book(client, mine, host, "T3")
    await consume(client)
    async with session_factory(engine)() as s, s.begin():
        r = await s.scalar(select(Reservation).where(Reservation.id == uuid.UUID(res["id"])))
        assert r is not None
        payment = Payment(
            tenant_id=r.tenant_id,
            reservation_id=r.id,
            checkout_session_id=f"cs_{uuid.uuid4().hex}",
            amount=20000,
            currency="GBP",
            outcome="confirmed",
            created_at=clock.now,
        )
        s.add(payment)
        await s.flush()
        await ledger.add_refund(
            s,
            payment,
            amount=10000,
            reason="staff_override",
            key=uuid.uuid4().hex,
            actor=SYSTEM,
            now=clock.now,
            status="succeeded",
            stripe_refund_id=f"re_{uuid.uuid4().hex}",
        )
    await consume(client)
    assert await kinds(engine, res["id"]) == [
        ("accrual", res["minimum"] // 10),
        ("refund_adjustment", -1000),
    ]


async def test_dashboard_and_csv(
    client: httpx.AsyncClient, mine: Money, engine: AsyncEngine
) -> None:
    host = await sign_in(client, mine.emails["host"])
    a = await host_book(client, mine, host, "T3", name="Ann")
    b = await host_book(client, mine, host, "T4", name="Bob")
    await consume(client)
    fin = await sign_in(client, mine.emails["finance"])
    r = await client.get(f"{base(mine)}/commissions", params={"from": "2026-11-01"})
    assert r.status_code == 200, r.text
    data = r.json()
    expected = a["minimum"] // 10 + b["minimum"] // 10
    assert data["totals"]["net"] == expected and data["totals"]["reservations"] == 2
    assert data["hosts"][0]["host_id"] == str(mine.host_id)
    assert data["hosts"][0]["by_kind"] == {"accrual": expected}
    assert len(data["entries"]) == 2
    csv = await client.get(f"{base(mine)}/commissions.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.strip().splitlines()) == 3
    # Finance reads; it cannot write rules.
    denied = await client.post(
        f"{base(mine)}/commission-rules", json={"basis": "flat_guest", "value": 1}, headers=fin
    )
    assert denied.status_code == 403


async def test_periods_filter_by_the_day_a_line_was_posted_unless_asked_for_nights(
    client: httpx.AsyncClient, mine: Money
) -> None:
    """A host's booking made today for a night after the period still shows in it (as in
    the live feed); ``by=night`` filters by the night's date instead."""
    host = await sign_in(client, mine.emails["host"])
    booked = await host_book(client, mine, host, "T3", name="Ann")  # today, for Saturday
    await consume(client)
    today = {"from": "2026-11-20", "to": "2026-11-20"}  # the day it was booked
    mine_url = f"/api/v1/host/venues/{mine.slug}/commissions"
    own = (await client.get(mine_url, params=today)).json()
    assert own["by"] == "posted" and own["totals"]["net"] == booked["minimum"] // 10
    by_night = (await client.get(mine_url, params={**today, "by": "night"})).json()
    assert by_night["by"] == "night" and by_night["totals"]["net"] == 0
    saturday = (await client.get(mine_url, params={"from": SAT.isoformat(), "by": "night"})).json()
    assert saturday["totals"]["net"] == booked["minimum"] // 10
    await sign_in(client, mine.emails["finance"])
    staff = (await client.get(f"{base(mine)}/commissions", params=today)).json()
    assert staff["totals"]["net"] == booked["minimum"] // 10
    csv = await client.get(f"{base(mine)}/commissions.csv", params={**today, "by": "night"})
    assert len(csv.text.strip().splitlines()) == 1  # the header only
    bad = await client.get(f"{base(mine)}/commissions", params={"by": "month"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "by"
