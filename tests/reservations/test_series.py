"""Standing reservations: a weekly series across the autumn DST change with a closed
night, a taken table and a night not set up, each reported with its reason and an
alternative; accepting alternatives; cancelling one, the following ones and all with
refunds by policy; hosts only for their own clients; the calendar feed and the floor."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock
from tests.factories import World, create_night_for, create_venue
from tests.staff.conftest import PASSWORD, sign_in
from venue.core.actor import Actor
from venue.core.db import session_factory
from venue.guests import profiles
from venue.models import AuditEntry, Guest, Host, OutboxEvent, Payment, Reservation, StaffUser
from venue.money import ledger
from venue.reservations import operations, series
from venue.staff.sessions import HASHER

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)
# Thursdays around the end of British Summer Time (Sunday 25 October 2026).
THU = [date(2026, 10, 15), date(2026, 10, 22), date(2026, 10, 29), date(2026, 11, 5)]
CLOSED, TAKEN, MISSING = THU[1], THU[2], THU[3]
FRI_AFTER_CLOSED = date(2026, 10, 23)
STAFF = Actor("staff", "tester")


async def make_world(engine: AsyncEngine) -> World:
    """Tables T1..T4 (standard, vip, standard, vip); nights at 22:00 on the first three
    Thursdays (the second closed) and on the Friday after it; nothing on the fourth."""
    async with session_factory(engine)() as s, s.begin():
        w = await create_venue(s, tables=4, tiers=("standard", "vip"), seats=(1, 6))
        for day in THU[:3]:
            await create_night_for(s, w, day, now=NOW)
        await create_night_for(s, w, FRI_AFTER_CLOSED, now=NOW)
        w.nights[CLOSED].is_closed = True
        w.nights[CLOSED].closed_reason = "Private event"
        # Someone else has T1 on the third Thursday.
        await operations.book_for_guest(
            s,
            w.venue,
            operations.StaffBooking(
                TAKEN, [w.table("T1").id], 2, "phone", "Other", "other@example.com"
            ),
            STAFF,
            NOW,
        )
        return w


@pytest.fixture
async def world(engine: AsyncEngine) -> World:
    return await make_world(engine)


def weekly(w: World, **extra: Any) -> series.SeriesRequest:
    return series.SeriesRequest(
        rule=series.Rule(freq="weekly", weekday=3, starts_on=THU[0], occurrences=4),
        table_ids=[w.table("T1").id],
        party_size=4,
        guest_name="Grace Hopper",
        guest_email="grace@example.com",
        **extra,
    )


async def test_a_weekly_series_across_dst_reports_what_it_cannot_honour(
    engine: AsyncEngine, world: World
) -> None:
    async with session_factory(engine)() as s, s.begin():
        done = await series.create(s, world.venue, weekly(world), STAFF, NOW)
        sid = done.series.id
    views = {o.date: o.view(world.venue.timezone) for o in done.occurrences}
    assert list(views) == THU
    assert views[THU[0]]["ok"] and views[THU[0]]["reservation_id"]
    closed, taken, missing = views[CLOSED], views[TAKEN], views[MISSING]
    assert (closed["reason"], closed["message"]) == ("night_closed", "Private event")
    # the nearest open night with the table free: the Friday after
    assert closed["alternative"]["date"] == FRI_AFTER_CLOSED.isoformat()
    assert closed["alternative"]["tables"] == ["T1"]
    assert taken["reason"] == "table_taken" and "T1" in taken["message"]
    assert taken["alternative"] == {**taken["alternative"], "date": TAKEN.isoformat()}
    assert taken["alternative"]["tables"] == ["T3"]  # same tier, seats four, free
    assert missing["reason"] == "no_night" and missing["alternative"] is None
    assert not any(v["reservation_id"] for v in (closed, taken, missing))

    async with session_factory(engine)() as s:
        rows = (
            await s.scalars(
                select(Reservation)
                .where(Reservation.series_id == sid)
                .order_by(Reservation.starts_at)
            )
        ).all()
        assert [r.series_date for r in rows] == [THU[0]]
        assert rows[0].status == "confirmed" and rows[0].channel == "phone"
        row = await series.series_of(s, world.venue, sid)
        # never dropped silently: kept on the series, and in its view
        assert [u["reason"] for u in row.unbooked] == ["night_closed", "table_taken", "no_night"]
        view = await series.view(s, world.venue, row)
        assert [d.get("reason") for d in view["dates"]] == [
            None,
            "night_closed",
            "table_taken",
            "no_night",
        ]
        audit = await s.scalar(
            select(AuditEntry).where(
                AuditEntry.entity == "series", AuditEntry.entity_id == str(sid)
            )
        )
        assert audit is not None and audit.action == "series.created"
        topics = set(
            await s.scalars(
                select(OutboxEvent.topic).where(OutboxEvent.tenant_id == world.venue.tenant_id)
            )
        )
        assert {"series.created", "reservation.confirmed"} <= topics


async def test_local_time_holds_across_the_dst_change(engine: AsyncEngine, world: World) -> None:
    """Accepting the alternatives books the closed and taken weeks too; every occurrence
    is at 22:00 in London while its UTC hour moves from 21 to 22."""
    async with session_factory(engine)() as s, s.begin():
        planned = await series.plan(s, world.venue, weekly(world), NOW)
        by_date = {o.date: o for o in planned.occurrences}
        accept = {
            d: (alt.business_date, [t.id for t in alt.tables])
            for d in (CLOSED, TAKEN)
            if (alt := by_date[d].alternative) is not None
        }
        done = await series.create(s, world.venue, weekly(world, accept=accept), STAFF, NOW)
    booked = [o.reservation for o in done.occurrences if o.reservation is not None]
    assert [r.series_date for r in booked] == [THU[0], CLOSED, TAKEN]
    assert [r.starts_at.astimezone(LONDON).time() for r in booked] == [time(22, 0)] * 3
    assert [r.starts_at.hour for r in booked] == [21, 21, 22]  # BST, BST, then GMT
    assert booked[1].starts_at.astimezone(LONDON).date() == FRI_AFTER_CLOSED
    async with session_factory(engine)() as s:
        tables = [[t.label for t in await operations.booking.tables_of(s, r)] for r in booked]
    assert tables == [["T1"], ["T1"], ["T3"]]
    missing = next(o for o in done.occurrences if o.date == MISSING)
    assert missing.reservation is None and missing.reason == "no_night"
    moved = next(o for o in done.occurrences if o.date == CLOSED).view(world.venue.timezone)
    assert moved["ok"] and moved["message"] == "booked on the alternative offered"
    assert moved["local_start"] == "2026-10-23T22:00:00+01:00"


async def test_an_alternative_not_offered_is_not_booked(engine: AsyncEngine, world: World) -> None:
    accept = {TAKEN: (TAKEN, [world.table("T2").id])}  # T2 was not offered
    async with session_factory(engine)() as s, s.begin():
        done = await series.create(s, world.venue, weekly(world, accept=accept), STAFF, NOW)
    taken = next(o for o in done.occurrences if o.date == TAKEN)
    assert taken.reservation is None and taken.reason == "table_taken"


def test_the_rule_is_an_rrule() -> None:
    first_fridays = series.Rule(
        freq="monthly", weekday=4, nth=1, starts_on=date(2026, 12, 1), occurrences=3
    )
    assert series.dates_of(first_fridays) == [
        date(2026, 12, 4),
        date(2027, 1, 1),
        date(2027, 2, 5),
    ]
    assert series.rrule_text(first_fridays) == "FREQ=MONTHLY;COUNT=3;BYDAY=+1FR"
    fortnightly = series.Rule(
        freq="weekly", weekday=3, every_n=2, starts_on=date(2026, 12, 3), until=date(2027, 1, 1)
    )
    assert series.dates_of(fortnightly) == [
        date(2026, 12, 3),
        date(2026, 12, 17),
        date(2026, 12, 31),
    ]
    endless = series.Rule(
        freq="weekly", weekday=3, starts_on=date(2026, 12, 3), until=date(2999, 1, 1)
    )
    with pytest.raises(series.InvalidRequest):
        series.dates_of(endless)


# --- the API: preview, create, cancel with refunds, hosts ------------------------------


async def add_user(engine: AsyncEngine, w: World, role: str, host: Host | None = None) -> str:
    email = f"{role}-{uuid.uuid4().hex[:6]}-{w.venue.slug}@example.com"
    async with session_factory(engine)() as s, s.begin():
        s.add(
            StaffUser(
                tenant_id=w.venue.tenant_id,
                email=email,
                name=role.title(),
                role=role,
                password_hash=HASHER.hash(PASSWORD),
                host_id=host.id if host else None,
            )
        )
    return email


def body(w: World, **extra: Any) -> dict[str, Any]:
    return {
        "rule": {"freq": "weekly", "starts_on": THU[0].isoformat(), "occurrences": 4},
        "table_ids": [str(w.table("T1").id)],
        "party_size": 4,
        "guest": {"name": "Grace Hopper", "email": "grace@example.com"},
        **extra,
    }


async def test_preview_then_create_through_the_api(
    client: httpx.AsyncClient, clock: FakeClock, engine: AsyncEngine, world: World
) -> None:
    clock.now = NOW
    csrf = await sign_in(client, await add_user(engine, world, "floor"))
    url = f"/api/v1/staff/venues/{world.venue.slug}/series"
    r = await client.post(f"{url}/preview", json=body(world), headers=csrf)
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["time"] == "22:00" and preview["rrule"] == "FREQ=WEEKLY;COUNT=4;BYDAY=TH"
    assert [o["reason"] for o in preview["occurrences"]] == [
        None,
        "night_closed",
        "table_taken",
        "no_night",
    ]
    alt = preview["occurrences"][2]["alternative"]
    accept = [
        {"date": TAKEN.isoformat(), "alternative_date": alt["date"], "table_ids": alt["table_ids"]}
    ]
    r = await client.post(url, json=body(world, accept=accept), headers=csrf)
    assert r.status_code == 201, r.text
    made = r.json()["series"]
    assert [d["reservation"] is not None for d in made["dates"]] == [True, False, True, False]
    assert made["tables"] == ["T1"] and made["guest"]["name"] == "Grace Hopper"
    listed = (await client.get(url)).json()["items"]
    assert [s["id"] for s in listed] == [made["id"]]
    # the booking says it belongs to the series
    rid = made["dates"][0]["reservation"]["id"]
    details = (
        await client.get(f"/api/v1/staff/venues/{world.venue.slug}/reservations/{rid}")
    ).json()
    assert details["series_id"] == made["id"] and details["series_date"] == THU[0].isoformat()
    # bad input names the field
    r = await client.post(url, json=body(world, time="25:00"), headers=csrf)
    assert r.status_code == 422
    bad = body(world)
    bad["rule"] = {"freq": "weekly", "starts_on": THU[0].isoformat()}
    r = await client.post(url, json=bad, headers=csrf)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "until"


async def make_paid_series(
    client: httpx.AsyncClient, clock: FakeClock, engine: AsyncEngine
) -> tuple[World, str, list[str], dict[str, str]]:
    """A weekly series on four open Thursdays, a 10,000 deposit paid on each."""
    async with session_factory(engine)() as s, s.begin():
        w = await create_venue(s, tables=4, tiers=("standard", "vip"), seats=(1, 6))
        for day in THU:
            await create_night_for(s, w, day, now=NOW)
    clock.now = NOW
    csrf = await sign_in(client, await add_user(engine, w, "floor"))
    url = f"/api/v1/staff/venues/{w.venue.slug}/series"
    r = await client.post(url, json=body(w), headers=csrf)
    assert r.status_code == 201, r.text
    made = r.json()["series"]
    rids = [d["reservation"]["id"] for d in made["dates"]]
    async with session_factory(engine)() as s, s.begin():
        for n, rid in enumerate(rids):
            s.add(
                Payment(
                    tenant_id=w.venue.tenant_id,
                    reservation_id=uuid.UUID(rid),
                    checkout_session_id=f"cs_series_{rid}",
                    payment_intent_id=f"pi_series_{n}_{rid[:8]}",
                    amount=10000,
                    currency="GBP",
                    outcome="confirmed",
                )
            )
    return w, made["id"], rids, csrf


async def test_cancel_one_then_following_then_all_with_refunds(
    client: httpx.AsyncClient, clock: FakeClock, engine: AsyncEngine
) -> None:
    w, sid, rids, csrf = await make_paid_series(client, clock, engine)
    url = f"/api/v1/staff/venues/{w.venue.slug}/series/{sid}/cancel"
    # Cancelled on 14 October: the first is 34 hours away (half back by the default
    # policy), the others more than 72 hours (all back).
    clock.now = datetime(2026, 10, 14, 11, tzinfo=UTC)
    csrf = await sign_in(client, await add_user(engine, w, "floor"))
    r = await client.post(
        url, json={"scope": "one", "date": THU[1].isoformat(), "reason": "away"}, headers=csrf
    )
    assert r.status_code == 200, r.text
    assert r.json()["cancelled"] == [rids[1]]
    assert r.json()["refunds"][rids[1]]["amount"] == 10000
    dates = r.json()["series"]["dates"]
    assert [d["reservation"]["status"] for d in dates] == [
        "confirmed",
        "cancelled",
        "confirmed",
        "confirmed",
    ]
    assert r.json()["series"]["status"] == "active"

    r = await client.post(
        url,
        json={"scope": "following", "date": THU[2].isoformat(), "reason": "moving"},
        headers=csrf,
    )
    assert r.status_code == 200, r.text
    assert r.json()["cancelled"] == rids[2:]
    assert {k: v["amount"] for k, v in r.json()["refunds"].items()} == {
        rids[2]: 10000,
        rids[3]: 10000,
    }
    assert r.json()["series"]["ended_from"] == THU[2].isoformat()
    assert [d["in_series"] for d in r.json()["series"]["dates"]] == [True, True, False, False]

    r = await client.post(url, json={"scope": "all", "reason": "done"}, headers=csrf)
    assert r.status_code == 200, r.text
    assert r.json()["cancelled"] == [rids[0]]
    assert r.json()["refunds"][rids[0]]["amount"] == 5000  # 34 hours ahead: half
    assert r.json()["series"]["status"] == "cancelled"
    # a second cancel refunds nothing more
    r = await client.post(url, json={"scope": "all", "reason": "again"}, headers=csrf)
    assert r.status_code == 200 and r.json()["cancelled"] == [] and r.json()["refunds"] == {}
    async with session_factory(engine)() as s:
        for rid, amount in zip(rids, (5000, 10000, 10000, 10000), strict=True):
            res = await s.get(Reservation, uuid.UUID(rid))
            assert res is not None and res.status == "cancelled"
            [payment] = await ledger.payments_of(s, res)
            assert await ledger.refunded_total(s, payment) == amount
    r = await client.post(
        url, json={"scope": "one", "date": "2026-10-16", "reason": "x"}, headers=csrf
    )
    assert r.status_code == 404


async def test_a_host_books_a_series_only_for_their_own_clients(
    client: httpx.AsyncClient, clock: FakeClock, engine: AsyncEngine, world: World
) -> None:
    async with session_factory(engine)() as s, s.begin():
        jade = Host(tenant_id=world.venue.tenant_id, name="Jade", code=f"J{uuid.uuid4().hex[:6]}")
        kim = Host(tenant_id=world.venue.tenant_id, name="Kim", code=f"K{uuid.uuid4().hex[:6]}")
        s.add_all([jade, kim])
    clock.now = NOW
    mine = f"/api/v1/host/venues/{world.venue.slug}/series"
    csrf = await sign_in(client, await add_user(engine, world, "host", jade))
    # the host is the session's: a body naming another host is refused
    r = await client.post(mine, json=body(world, host_id=str(kim.id)), headers=csrf)
    assert r.status_code == 422
    r = await client.post(mine, json=body(world), headers=csrf)
    assert r.status_code == 201, r.text
    made = r.json()["series"]
    assert made["host_id"] == str(jade.id) and made["channel"] == "host"
    async with session_factory(engine)() as s:
        res = await s.get(Reservation, uuid.UUID(made["dates"][0]["reservation"]["id"]))
        assert res is not None and res.host_id == jade.id and res.channel == "host"
    # staff may not use the host's API, nor a host the staff's
    r = await client.get(f"/api/v1/staff/venues/{world.venue.slug}/series")
    assert r.status_code == 403

    csrf = await sign_in(client, await add_user(engine, world, "host", kim))
    assert (await client.get(mine)).json()["items"] == []
    assert (await client.get(f"{mine}/{made['id']}")).status_code == 404
    r = await client.post(
        f"{mine}/{made['id']}/cancel", json={"scope": "all", "reason": "not mine"}, headers=csrf
    )
    assert r.status_code == 404


async def test_occurrences_are_in_the_staff_calendar_feed_and_on_the_floor(
    client: httpx.AsyncClient, clock: FakeClock, engine: AsyncEngine, world: World
) -> None:
    clock.now = NOW
    csrf = await sign_in(client, await add_user(engine, world, "manager"))
    staff = f"/api/v1/staff/venues/{world.venue.slug}"
    r = await client.post(f"{staff}/calendar-feeds", json={"label": "All"}, headers=csrf)
    assert r.status_code == 201, r.text
    feed_url = r.json()["url"]
    planned = (await client.post(f"{staff}/series/preview", json=body(world), headers=csrf)).json()
    alt = planned["occurrences"][1]["alternative"]
    accept = [
        {"date": CLOSED.isoformat(), "alternative_date": alt["date"], "table_ids": alt["table_ids"]}
    ]
    made = (
        await client.post(f"{staff}/series", json=body(world, accept=accept), headers=csrf)
    ).json()
    ids = {d["reservation"]["id"] for d in made["series"]["dates"] if d["reservation"]}
    assert len(ids) == 2

    client.cookies.clear()
    r = await client.get(urlsplit(feed_url).path)
    assert r.status_code == 200
    events = icalendar.Calendar.from_ical(r.content).walk("VEVENT")
    starts = {str(e["uid"]).removesuffix("@maitre"): e.decoded("dtstart") for e in events}
    assert ids <= set(starts)
    local = sorted(starts[i].astimezone(LONDON) for i in ids)
    assert [t.time() for t in local] == [time(22, 0), time(22, 0)]
    assert [t.date() for t in local] == [THU[0], FRI_AFTER_CLOSED]

    await sign_in(client, await add_user(engine, world, "floor"))
    r = await client.get(f"{staff}/nights/{THU[0].isoformat()}/floor")
    assert r.status_code == 200, r.text
    t1 = next(t for t in r.json()["tables"] if t["label"] == "T1")
    assert t1["reservation"]["series_id"] == made["series"]["id"]


async def test_merging_the_guest_moves_the_series_too(engine: AsyncEngine, world: World) -> None:
    async with session_factory(engine)() as s, s.begin():
        done = await series.create(s, world.venue, weekly(world), STAFF, NOW)
        keep = Guest(tenant_id=world.venue.tenant_id, name="G. Hopper", phone="+447700900111")
        s.add(keep)
        await s.flush()
        duplicate = await s.get_one(Guest, done.series.guest_id)
        await profiles.merge(s, keep, duplicate, STAFF, NOW)
        sid = done.series.id
    async with session_factory(engine)() as s:
        row = await series.series_of(s, world.venue, sid)
        assert row.guest_id == keep.id
        view = await series.view(s, world.venue, row)
        assert view["guest"]["name"] == "G. Hopper"
