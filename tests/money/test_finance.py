"""Finance numbers on a seeded history: tonight's guaranteed/expected revenue and the
forecast against the same weekdays' pace."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import World, create_night_for, create_venue
from venue.core.db import session_factory
from venue.core.tokens import hash_token
from venue.models import Night, Reservation, Turnaway
from venue.money import finance
from venue.setup.venues import sittings_of

from .conftest import NOW, SAT, Money, base, host_book, sign_in


async def _past(
    s: object, world: World, night: Night, rows: list[tuple[int, timedelta, str]]
) -> None:
    sitting = (await sittings_of(s, night))[0]  # type: ignore[arg-type]
    for minimum, before_open, status in rows:
        s.add(  # type: ignore[attr-defined]
            Reservation(
                tenant_id=world.venue.tenant_id,
                venue_id=world.venue.id,
                night_id=night.id,
                sitting_id=sitting.id,
                status=status,
                starts_at=sitting.starts_at,
                ends_at=sitting.ends_at,
                party_size=2,
                channel="online",
                created_by="test",
                currency="GBP",
                quoted_minimum=minimum,
                quoted_deposit=0,
                quote={},
                token_hash=hash_token(uuid.uuid4().hex),
                created_at=night.opens_at - before_open,
                updated_at=night.opens_at,
            )
        )


async def test_forecast_and_tonight_on_a_seeded_history(engine: AsyncEngine) -> None:
    h = timedelta(hours=1)
    async with session_factory(engine)() as s, s.begin():
        world = await create_venue(s, tables=4)
        sat = await create_night_for(s, world, SAT, now=NOW - timedelta(days=30))
        wk1 = await create_night_for(
            s, world, SAT - timedelta(days=7), now=NOW - timedelta(days=30)
        )
        wk2 = await create_night_for(
            s, world, SAT - timedelta(days=14), now=NOW - timedelta(days=30)
        )
        sun = await create_night_for(
            s, world, SAT + timedelta(days=1), now=NOW - timedelta(days=30)
        )
        # Lead time of SAT at NOW: doors at 22:00 tomorrow, 34 hours away.
        await _past(s, world, wk1, [(50000, 48 * h, "completed"), (30000, 2 * h, "no_show"),
                                    (99000, 72 * h, "cancelled")])  # fmt: skip
        await _past(s, world, wk2, [(40000, 120 * h, "completed"), (20000, 10 * h, "completed")])
        await _past(s, world, sat, [(60000, 60 * h, "confirmed")])
        for _ in range(2):
            s.add(Turnaway(tenant_id=world.venue.tenant_id, venue_id=world.venue.id,
                           business_date=SAT, party_size=4, reason="table_unavailable",
                           channel="online", at=NOW))  # fmt: skip
        sun.is_closed = True

    async with session_factory(engine)() as s:
        venue = world.venue
        out = await finance.forecast(s, venue, SAT, 2, NOW, weeks=2)
        series = {x["key"]: [p["value"] for p in x["points"]] for x in out["series"]}
        assert [p["date"] for p in out["series"][0]["points"]] == ["2026-11-21", "2026-11-22"]
        assert series["booked_minimums"] == [60000, 0]
        assert series["pace_minimums"] == [45000, None]  # (50000 + 40000) / 2 at 34 h out
        assert series["history_final_minimums"] == [70000, None]
        # Usual pickup from 34 h out: (30000 + 20000) / 2.
        assert series["expected_final_minimums"] == [85000, None]
        assert series["turnaways"] == [2, 0]
        assert out["nights"][0]["pace_bp"] == 60000 * 10000 // 45000
        assert out["nights"][1]["is_closed"] is True

        tonight = await finance.tonight(s, venue, SAT)
        assert tonight["show_rate"] == 0.75 and tonight["show_rate_sample"] == 4
        assert tonight["totals"]["guaranteed"] == 60000
        assert tonight["totals"]["expected"] == 45000
        assert tonight["by_host"][0]["host_name"] == finance.DIRECT


def test_reservation_money_definitions() -> None:
    m = finance.reservation_money("confirmed", 100000, 25000, None, 4, 0.8)
    assert (m.guaranteed, m.expected) == (100000, 25000 + 0.8 * 75000)
    m = finance.reservation_money("confirmed", 10000, 25000, None, 4, 0.8)
    assert (m.guaranteed, m.expected) == (25000, 25000)
    m = finance.reservation_money("completed", 100000, 0, 180000, 4, 0.8)
    assert (m.guaranteed, m.expected) == (180000, 180000)
    m = finance.reservation_money("no_show", 100000, 25000, None, 4, 0.8)
    assert (m.guaranteed, m.confirmed_minimums) == (25000, 0)


async def test_finance_api_by_tier_and_host(client: httpx.AsyncClient, mine: Money) -> None:
    jade = await sign_in(client, mine.emails["host"])
    a = await host_book(client, mine, jade, "T1", name="Ann")  # standard
    b = await host_book(client, mine, jade, "T2", name="Bob")  # vip
    await sign_in(client, mine.emails["finance"])
    r = await client.get(f"{base(mine)}/finance/tonight", params={"date": SAT.isoformat()})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["totals"]["guaranteed"] == a["minimum"] + b["minimum"]
    assert {t["tier"]: t["guaranteed"] for t in data["by_tier"]} == {
        "standard": a["minimum"],
        "vip": b["minimum"],
    }
    assert data["by_host"][0]["host_id"] == str(mine.host_id)
    f = await client.get(f"{base(mine)}/finance/forecast", params={"from": SAT.isoformat()})
    assert f.status_code == 200
    assert len(f.json()["series"][0]["points"]) == 1  # the tenant has one night
    assert f.json()["series"][0]["points"][0]["value"] == a["minimum"] + b["minimum"]
    # The title counts the span the subtitle dates (30 days by default), not the nights in it.
    assert f.json()["days"] == 30
    assert f.json()["to"] == (SAT + timedelta(days=29)).isoformat()


_ = (date, datetime)
