"""Restaurant nights opened by the sweeper across the booking window, from the service
periods: idempotent, a closed date exception created closed, a weekday without periods
left alone, and one venue's broken data never stopping another."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.dining.test_api import NOW
from tests.factories import World, create_restaurant
from venue.core.db import session_factory
from venue.dining import nights as dining_nights
from venue.dining.rules import Period
from venue.models import AuditEntry, Night
from web import sweeper
from web.sweeper import sweep_once

FIRST = NOW.date()  # Friday 20 November 2026, noon in London
WINDOW = 6  # Friday 20th to Thursday 26th
CLOSED = date(2026, 11, 22)  # a Sunday the restaurant closes by exception
MONDAY = date(2026, 11, 23)  # no periods on Mondays


def periods() -> list[Period]:
    return [
        *(Period("Dinner", time(18, 0), time(20, 0), 30, weekday=d) for d in range(1, 7)),
        Period(
            "Closed for a private party",
            time(18, 0),
            time(18, 0),
            0,
            on_date=CLOSED,
            is_closed=True,
        ),
    ]


async def restaurant(engine: AsyncEngine, *, broken: bool = False) -> World:
    async with session_factory(engine)() as s, s.begin():
        w = await create_restaurant(
            s,
            tables=[("A", 1, 2), ("C", 1, 4)],
            periods=periods(),
            rules={"booking_window_days": WINDOW},
        )
        if broken:
            w.venue.timezone = "Nowhere/Atlantis"
        return w


async def nights_of(engine: AsyncEngine, w: World) -> dict[date, Night]:
    async with session_factory(engine)() as s:
        rows = await s.scalars(select(Night).where(Night.venue_id == w.venue.id))
        return {n.business_date: n for n in rows}


async def test_one_sweep_opens_the_window_and_a_second_opens_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    broken = await restaurant(engine, broken=True)
    w = await restaurant(engine)
    sessions = session_factory(engine)
    await sweep_once(sessions, NOW)

    opened = await nights_of(engine, w)
    window = [FIRST + timedelta(days=k) for k in range(WINDOW + 1)]
    assert sorted(opened) == [d for d in window if d != MONDAY]
    assert opened[CLOSED].is_closed and opened[CLOSED].closed_reason == "Closed for a private party"
    assert not any(n.is_closed for d, n in opened.items() if d != CLOSED)
    assert await nights_of(engine, broken) == {}  # its failure stopped only itself

    async with sessions() as s:
        audited = await s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.tenant_id == w.venue.tenant_id, AuditEntry.action == "night.created")
        )
    assert audited == len(opened)

    async with sessions() as s, s.begin():
        venue = await s.get(type(w.venue), w.venue.id)
        assert venue is not None
        assert await dining_nights.open_window(s, venue, NOW) == []
    await sweep_once(sessions, NOW)
    assert sorted(await nights_of(engine, w)) == sorted(opened)

    base = f"/api/v1/venues/{w.venue.slug}"
    day = FIRST + timedelta(days=1)
    listed = await client.get(f"{base}/nights", params={"from": str(FIRST), "days": 7})
    assert listed.status_code == 200, listed.text
    by_date = {n["date"]: n for n in listed.json()}
    assert by_date[str(CLOSED)]["closed"] and not by_date[str(day)]["closed"]
    got = await client.get(f"{base}/nights/{day}/sittings", params={"party_size": 2})
    assert got.status_code == 200, got.text
    starts = got.json()["starts"]
    assert starts[0]["local_time"] == "18:00" and starts[0]["bookable"]
    shut = await client.get(f"{base}/nights/{CLOSED}/sittings", params={"party_size": 2})
    assert not any(s["bookable"] for s in shut.json()["starts"])


async def test_the_sweep_loop_opens_nights_at_most_once_a_minute(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Expiry runs every pass; the nights' pass only when a minute has gone by."""
    opened_at: list[datetime] = []
    ticks = iter(NOW + timedelta(seconds=20 * k) for k in range(8))  # 0s .. 140s

    async def record(_: object, now: datetime) -> int:
        opened_at.append(now)
        return 0

    def clock() -> datetime:
        try:
            return next(ticks)
        except StopIteration:
            raise asyncio.CancelledError from None

    monkeypatch.setattr(sweeper, "open_nights", record)
    with pytest.raises(asyncio.CancelledError):
        await sweeper.sweep_forever(session_factory(engine), clock, 0)
    assert [(t - NOW).seconds for t in opened_at] == [0, 60, 120]
