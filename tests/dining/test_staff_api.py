"""A restaurant for staff through the API: the rules as rows, opening a night from them,
the service counters, a phone party past the online classes, moving and joining a
party's tables, and the turn-away report with its sentence."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock
from tests.factories import World, create_restaurant
from venue.core.db import session_factory
from venue.models import StaffUser
from venue.staff.sessions import HASHER

SAT = date(2026, 11, 21)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
RULES = {
    "periods": [
        {
            "name": "Dinner",
            "weekday": 5,
            "first_start": "18:00",
            "last_start": "19:00",
            "interval_minutes": 30,
            "covers_limit": 12,
            "pacing_covers": 8,
        },
        {
            "name": "Closed",
            "on_date": "2026-11-28",
            "first_start": "18:00",
            "last_start": "18:00",
            "covers_limit": 0,
            "is_closed": True,
        },
    ],
    "turn_times": [{"min_party": 1, "minutes": 90}, {"min_party": 5, "minutes": 120}],
}


async def setup(engine: AsyncEngine) -> tuple[World, str]:
    async with session_factory(engine)() as s, s.begin():
        w = await create_restaurant(
            s,
            tables=[("A", 1, 2), ("B", 1, 2), ("C", 1, 4), ("H", 1, 4)],
            links=[("A", "B")],
            classes={"H": "in_house"},
            periods=[],
        )
        email = f"manager-{w.venue.slug}@example.com"
        s.add(
            StaffUser(
                tenant_id=w.venue.tenant_id,
                email=email,
                name="Manager",
                role="manager",
                password_hash=HASHER.hash(PASSWORD),
            )
        )
        return w, email


async def test_rules_night_counters_phone_move_and_report(
    client: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock
) -> None:
    w, email = await setup(engine)
    signed = await client.post("/api/v1/staff/login", json={"email": email, "password": PASSWORD})
    csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
    staff = f"/api/v1/staff/venues/{w.venue.slug}"
    public = f"/api/v1/venues/{w.venue.slug}"
    put = await client.put(f"{staff}/dining/rules", json=RULES, headers=csrf)
    assert put.status_code == 200, put.text
    got = (await client.get(f"{staff}/dining/rules")).json()
    assert got["periods"][0]["first_start"] == "18:00" and len(got["turn_times"]) == 2
    opened = await client.post(f"{staff}/dining/nights/{SAT}", headers=csrf)
    assert opened.status_code == 201, opened.text
    assert (await client.post(f"{staff}/dining/nights/{SAT}", headers=csrf)).status_code == 409
    closed = await client.post(f"{staff}/dining/nights/2026-11-28", headers=csrf)
    assert closed.json()["is_closed"] is True
    bad = await client.put(
        f"{staff}/dining/rules",
        json={**RULES, "turn_times": [{"min_party": 1, "minutes": 90}] * 2},
        headers=csrf,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "turn_times[1].min_party"

    starts = (await client.get(f"{public}/nights/{SAT}/sittings", params={"party_size": 4})).json()
    first = starts["starts"][0]["starts_at"]
    held = await client.post(
        f"{public}/holds", json={"date": str(SAT), "party_size": 4, "starts_at": first}
    )
    assert held.json()["reservation"]["tables"] == ["C"]
    phone = await client.post(
        f"{staff}/dining/bookings",
        json={
            "date": str(SAT),
            "party_size": 4,
            "starts_at": first,
            "channel": "phone",
            "guest": {"name": "Grace Hopper", "phone": "+44 7700 900123"},
        },
        headers=csrf,
    )
    assert phone.status_code == 201, phone.text
    # the in-house table is staff's to give; online the party would have been joined
    assert [t["label"] for t in phone.json()["tables"]] == ["H"]
    svc = (await client.get(f"{staff}/dining/{SAT}/service")).json()
    dinner = svc["sittings"][0]
    assert (dinner["covers"], dinner["covers_limit"]) == (8, 12)
    assert (dinner["tables_used"], dinner["tables_total"]) == (2, 4)
    assert dinner["slots"][0] == {
        "local_time": "18:00",
        "starts_at": dinner["slots"][0]["starts_at"],
        "covers": 8,
        "limit": 8,
    }
    assert svc["summary"] == ["Dinner: 8/12 guests, 2/4 tables"]
    # pacing: 8 covers already start at 18:00
    full = await client.post(
        f"{public}/holds", json={"date": str(SAT), "party_size": 2, "starts_at": first}
    )
    assert full.json()["code"] == "sitting_full_pacing"
    # staff move the phone party from the in-house 4-top onto the two 2-tops, joined
    res_id = phone.json()["id"]
    moved = await client.post(
        f"{staff}/reservations/{res_id}/move",
        json={
            "table_ids": [str(w.table("A").id), str(w.table("B").id)],
            "version": phone.json()["version"],
        },
        headers=csrf,
    )
    assert moved.status_code == 200, moved.text
    assert [t["label"] for t in moved.json()["tables"]] == ["A", "B"]
    clock.now = NOW
    report = (
        await client.get(
            f"{staff}/turnaways/report", params={"from": "2026-11-01", "to": "2026-11-30"}
        )
    ).json()
    assert report["total"] == 1
    assert report["sentence"] == (
        "1 party tried to book Saturdays that you couldn't seat; 1 of them at 18:00."
    )
    assert report["by_reason"][0]["reason"] == "sitting_full_pacing"


async def test_a_console_booking_on_a_chosen_table_keeps_the_turn_time(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w, email = await setup(engine)
    signed = await client.post("/api/v1/staff/login", json={"email": email, "password": PASSWORD})
    csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
    staff = f"/api/v1/staff/venues/{w.venue.slug}"
    offset = {**RULES["periods"][0], "first_start": "18:00+01:00"}
    bad = await client.put(
        f"{staff}/dining/rules", json={**RULES, "periods": [offset]}, headers=csrf
    )
    assert bad.status_code == 422 and "first_start" in bad.text
    await client.put(f"{staff}/dining/rules", json=RULES, headers=csrf)
    await client.post(f"{staff}/dining/nights/{SAT}", headers=csrf)
    booked = await client.post(
        f"{staff}/bookings",
        json={
            "date": str(SAT),
            "table_ids": [str(w.table("H").id)],
            "party_size": 2,
            "channel": "walk_in",
            "guest": {"name": "Door"},
        },
        headers=csrf,
    )
    assert booked.status_code == 201, booked.text
    body = booked.json()
    assert [t["label"] for t in body["tables"]] == ["H"]
    assert body["starts_at"].startswith("2026-11-21T18:00")  # GMT
    assert body["ends_at"].startswith("2026-11-21T19:30")  # a couple's 90 minutes
    svc = (await client.get(f"{staff}/dining/{SAT}/service")).json()
    assert svc["sittings"][0]["parties"][0]["tables"] == ["H"]
