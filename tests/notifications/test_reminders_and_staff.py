"""Reminders across DST, the local outbox and the staff views."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.test_pricing_api import add_staff, sign_in
from tests.conftest import FakeClock
from tests.factories import World, create_night_for, create_venue
from venue.core.db import session_factory
from venue.models import Notification
from venue.notifications.planner import reminder_times

from .conftest import NOW, SAT, base, book

Z = UTC


@pytest.mark.parametrize(
    ("start", "day_before", "two_hours"),
    [
        # Spring forward (Sun 28 Mar 2027): 22:00 BST; the day before is GMT.
        (datetime(2027, 3, 28, 21, 0, tzinfo=Z), datetime(2027, 3, 27, 22, 0, tzinfo=Z), 19),
        # Fall back (Sun 25 Oct 2026): 22:00 GMT; the day before is BST.
        (datetime(2026, 10, 25, 22, 0, tzinfo=Z), datetime(2026, 10, 24, 21, 0, tzinfo=Z), 20),
    ],
)
def test_reminders_keep_the_local_time_across_dst(
    start: datetime, day_before: datetime, two_hours: int
) -> None:
    now = datetime(2026, 10, 1, tzinfo=Z)
    due = reminder_times(start, [1440, 120], now, "Europe/London")
    assert due[1440] == day_before  # 22:00 local on the Saturday either way
    assert due[120] == start.replace(hour=two_hours)  # exactly two real hours before
    assert reminder_times(start, [1440, 120], start.replace(hour=two_hours), "Europe/London") == {}


async def test_booking_across_spring_forward_schedules_reminders(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World, clock: FakeClock
) -> None:
    sunday = date(2027, 3, 28)
    clock.now = datetime(2027, 3, 20, 12, 0, tzinfo=Z)
    async with session_factory(engine)() as s, s.begin():
        await create_night_for(s, world, sunday, now=clock.now)
    res = await book(client, world, day=sunday, email="ada+dst@example.com")
    await client.app.state.mail.run_until_idle()  # type: ignore[attr-defined]
    async with session_factory(engine)() as s:
        rows = await s.scalars(
            select(Notification).where(
                Notification.reservation_id == uuid.UUID(res["id"]),
                Notification.kind == "reminder",
            )
        )
        due = sorted(n.due_at for n in rows)
    assert due == [datetime(2027, 3, 27, 22, 0, tzinfo=Z), datetime(2027, 3, 28, 19, 0, tzinfo=Z)]


async def test_local_outbox_delivery_log_and_overdue_warning(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World, clock: FakeClock
) -> None:
    headers = await sign_in(client, await add_staff(engine, world, "manager"))
    res = await book(client, world, email="ada+local@example.com")
    mail = client.app.state.mail  # type: ignore[attr-defined]
    await mail.run_until_idle()  # no SMTP settings: the local outbox

    inbox = (await client.get(f"/api/v1/staff{base(world)[7:]}/mail", headers=headers)).json()
    subjects = {m["to"]: m["subject"] for m in inbox}
    assert subjects["ada+local@example.com"].startswith(f"Your table at {world.venue.name}")
    confirmation = next(m for m in inbox if m["to"] == "ada+local@example.com")
    one = await client.get(f"/api/v1/staff{base(world)[7:]}/mail/{confirmation['id']}")
    body = one.json()
    assert "Saturday 21 November 2026, 22:00 GMT" in body["text"]
    [ics] = body["attachments"]
    assert "DTSTART;TZID=Europe/London:20261121T220000" in ics["content"]
    token = body["text"].split("/r/")[1].split()[0]
    found = await client.get(f"{base(world)}/reservations/{token}")
    assert found.status_code == 200 and found.json()["id"] == res["id"]

    log_url = f"/api/v1/staff{base(world)[7:]}/reservations/{res['id']}/notifications"
    log = (await client.get(log_url)).json()
    assert {(n["kind"], n["status"]) for n in log} == {
        ("confirmation", "sent"),
        ("venue_booking", "sent"),
        ("reminder", "pending"),
    }

    overdue_url = f"/api/v1/staff{base(world)[7:]}/notifications/overdue"
    assert (await client.get(overdue_url)).json()["warning"] is False
    clock.now = datetime(2026, 11, 20, 22, 10, tzinfo=Z)  # 24 h reminder due 10 min ago
    warned = (await client.get(overdue_url)).json()
    assert warned["warning"] is True and warned["count"] == 1
    await mail.run_until_idle()
    assert (await client.get(overdue_url)).json()["count"] == 0
    other = await client.get("/api/v1/staff/venues/nope/mail")
    assert other.status_code == 404


async def test_another_tenants_reservation_has_no_delivery_log(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    async with session_factory(engine)() as s, s.begin():
        theirs = await create_venue(s, tables=2)
        await create_night_for(s, theirs, SAT, now=NOW)
    their_res = await book(client, theirs, email="ada+theirs@example.com")
    await sign_in(client, await add_staff(engine, world, "manager"))
    url = f"/api/v1/staff{base(world)[7:]}/reservations/{their_res['id']}/notifications"
    r = await client.get(url)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
