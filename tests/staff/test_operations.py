"""Running a night from the console: lifecycle, move/join, phone bookings, closures and
blocks, floor plan editing, rules; every write audited with the staff member."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock
from tests.staff.conftest import SAT, SERVICE, Tenant, base, book, sign_in
from venue.core.db import session_factory
from venue.models import AuditEntry, OutboxEvent, StaffUser

NIGHT = f"/nights/{SAT.isoformat()}"


async def staff_id(engine: AsyncEngine, email: str) -> str:
    async with session_factory(engine)() as s:
        return str(await s.scalar(select(StaffUser.id).where(StaffUser.email == email)))


async def events(engine: AsyncEngine, t: Tenant) -> list[OutboxEvent]:
    async with session_factory(engine)() as s:
        rows = await s.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.tenant_id == t.world.venue.tenant_id)
            .order_by(OutboxEvent.id)
        )
        return list(rows)


async def floor_states(client: httpx.AsyncClient, t: Tenant) -> dict[str, str]:
    floor = (await client.get(f"/api/v1/venues/{t.slug}{NIGHT}/floor")).json()
    return {x["label"]: x["state"] for x in floor["tables"]}


async def test_seat_complete_with_audit_and_outbox(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant, clock: FakeClock
) -> None:
    res = await book(client, mine, ["T1"])
    clock.now = SERVICE
    csrf = await sign_in(client, mine.emails["floor"])
    who = f"staff:{await staff_id(engine, mine.emails['floor'])}"
    url = f"{base(mine)}/reservations/{res['id']}"
    r = await client.post(url + "/complete", headers=csrf)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    r = await client.post(url + "/seat", json={"version": 99}, headers=csrf)
    assert r.status_code == 409 and r.json()["code"] == "reservation_changed"
    seated = await client.post(url + "/seat", headers=csrf)
    assert seated.status_code == 200 and seated.json()["status"] == "seated"
    assert (await floor_states(client, mine))["T1"] == "seated"
    floor = (await client.get(f"{base(mine)}{NIGHT}/floor")).json()
    t1 = next(x for x in floor["tables"] if x["label"] == "T1")
    assert t1["reservation"]["guest_name"] == "Ada" and t1["reservation"]["party_size"] == 2
    assert floor["totals"]["guests"] == 2 and floor["totals"]["tables_booked"] == 1
    done = await client.post(url + "/complete", json={"version": 3}, headers=csrf)
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert (await floor_states(client, mine))["T1"] == "free"
    history = done.json()["history"]
    assert [h["action"] for h in history][-2:] == ["reservation.seated", "reservation.completed"]
    assert history[-1]["actor"] == who
    topics = [(e.topic, e.channel) for e in await events(engine, mine)]
    night = f"night:{mine.world.nights[SAT].id}"
    assert ("reservation.seated", night) in topics and ("reservation.completed", night) in topics


async def test_no_show_and_cancel_tell_the_guest(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant, clock: FakeClock
) -> None:
    one = await book(client, mine, ["T1"])
    two = await book(client, mine, ["T2"], name="Bea")
    clock.now = SERVICE
    csrf = await sign_in(client, mine.emails["manager"])
    r = await client.post(f"{base(mine)}/reservations/{one['id']}/no-show", headers=csrf)
    assert r.json()["status"] == "no_show"
    r = await client.post(
        f"{base(mine)}/reservations/{two['id']}/cancel", json={"reason": "Flooded"}, headers=csrf
    )
    assert r.json()["status"] == "cancelled" and r.json()["cancel_reason"] == "Flooded"
    again = await client.post(
        f"{base(mine)}/reservations/{two['id']}/cancel", json={"reason": "x"}, headers=csrf
    )
    assert again.status_code == 200  # harmless
    cancelled = [e for e in await events(engine, mine) if e.topic == "reservation.cancelled"]
    assert len(cancelled) == 1 and cancelled[0].payload["id"] == two["id"]
    assert cancelled[0].channel == f"night:{mine.world.nights[SAT].id}"


async def test_move_and_join_are_atomic_and_never_double_book(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant
) -> None:
    res = await book(client, mine, ["T1"], party=4)
    await book(client, mine, ["T3"], name="Bea")
    csrf = await sign_in(client, mine.emails["floor"])
    url = f"{base(mine)}/reservations/{res['id']}/move"
    taken = await client.post(url, json={"table_ids": [mine.tid("T3")]}, headers=csrf)
    assert taken.status_code == 409 and taken.json()["code"] == "table_unavailable"
    apart = await client.post(
        url, json={"table_ids": [mine.tid("T1"), mine.tid("T4")]}, headers=csrf
    )
    assert apart.status_code == 409 and apart.json()["code"] == "tables_not_joinable"
    assert (await floor_states(client, mine)) == {
        "T1": "booked",
        "T2": "free",
        "T3": "booked",
        "T4": "free",
    }
    joined = await client.post(
        url, json={"table_ids": [mine.tid("T1"), mine.tid("T2")]}, headers=csrf
    )
    assert joined.status_code == 200, joined.text
    assert [t["label"] for t in joined.json()["tables"]] == ["T1", "T2"]
    moved = await client.post(url, json={"table_ids": [mine.tid("T4")]}, headers=csrf)
    assert [t["label"] for t in moved.json()["tables"]] == ["T4"]
    states = await floor_states(client, mine)
    assert states == {"T1": "free", "T2": "free", "T3": "booked", "T4": "booked"}
    # The guest can now book T1 again: the old allocation is gone.
    await book(client, mine, ["T1"], name="Cy")
    last = moved.json()["history"][-1]
    assert last["action"] == "reservation.moved" and last["before"]["tables"] == ["T1", "T2"]
    moves = [e for e in await events(engine, mine) if e.topic == "reservation.moved"]
    assert len(moves) == 2 and moves[-1].payload["table_ids"] == [mine.tid("T4")]


async def test_phone_booking_bypasses_cutoff_and_cap(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant, clock: FakeClock
) -> None:
    await book(client, mine, ["T1"])
    await book(client, mine, ["T2"])  # Ada's second booking: the cap (2) is reached
    clock.advance(hours=33, minutes=45)  # Saturday 21:45, past the online cutoff
    body = {"date": SAT.isoformat(), "table_ids": [mine.tid("T3")], "party_size": 2}
    late = await client.post(f"/api/v1/venues/{mine.slug}/holds", json=body)
    assert late.status_code == 409 and late.json()["code"] == "booking_cutoff"
    csrf = await sign_in(client, mine.emails["floor"])
    r = await client.post(
        f"{base(mine)}/bookings",
        json={
            **body,
            "channel": "phone",
            "guest": {"name": "Ada", "email": "ada@example.com"},
            "notes": "Window seat",
            "host_id": str(mine.host_id),
        },
        headers=csrf,
    )
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "confirmed" and out["channel"] == "phone"
    assert out["created_by"] == f"staff:{await staff_id(engine, mine.emails['floor'])}"
    assert out["guest"]["email"] == "ada@example.com" and out["host_name"] == "Jade"
    walk = await client.post(
        f"{base(mine)}/bookings",
        json={
            "date": SAT.isoformat(),
            "table_ids": [mine.tid("T4")],
            "party_size": 3,
            "channel": "walk_in",
            "guest": {"name": "Walk In"},
            "seat_now": True,
        },
        headers=csrf,
    )
    assert walk.status_code == 201 and walk.json()["status"] == "seated"
    found = await client.get(
        f"{base(mine)}/reservations", params={"q": "ada@", "date": SAT.isoformat()}
    )
    assert found.json()["total"] == 3
    phone = await client.get(
        f"{base(mine)}/reservations", params={"host_id": str(mine.host_id), "status": "confirmed"}
    )
    assert [x["id"] for x in phone.json()["items"]] == [out["id"]]


async def test_blocks_and_closures_show_on_the_public_floor_and_refuse_holds(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    res = await book(client, mine, ["T1"])
    csrf = await sign_in(client, mine.emails["floor"])
    refused = await client.post(
        f"{base(mine)}{NIGHT}/blocks",
        json={"table_ids": [mine.tid("T1"), mine.tid("T2")], "reason": "Private hire"},
        headers=csrf,
    )
    assert refused.status_code == 409 and refused.json()["code"] == "table_has_booking"
    assert refused.json()["reservation_ids"] == [res["id"]]
    ok = await client.post(
        f"{base(mine)}{NIGHT}/blocks",
        json={"table_ids": [mine.tid("T2")], "reason": "Private hire"},
        headers=csrf,
    )
    assert ok.status_code == 201
    assert (await floor_states(client, mine))["T2"] == "blocked"
    body = {"date": SAT.isoformat(), "table_ids": [mine.tid("T2")], "party_size": 2}
    hold = await client.post(f"/api/v1/venues/{mine.slug}/holds", json=body)
    assert hold.status_code == 409 and hold.json()["code"] == "table_unavailable"
    staff_floor = (await client.get(f"{base(mine)}{NIGHT}/floor")).json()
    t2 = next(x for x in staff_floor["tables"] if x["label"] == "T2")
    assert t2["block_reason"] == "Private hire"
    await client.post(
        f"{base(mine)}{NIGHT}/unblock", json={"table_ids": [mine.tid("T2")]}, headers=csrf
    )
    assert (await floor_states(client, mine))["T2"] == "free"

    csrf = await sign_in(client, mine.emails["manager"])
    closed = await client.post(
        f"{base(mine)}{NIGHT}/close", json={"reason": "Burst pipe"}, headers=csrf
    )
    assert closed.json()["closed"] is True and closed.json()["live_reservations"] == 1
    floor = (await client.get(f"/api/v1/venues/{mine.slug}{NIGHT}/floor")).json()
    assert floor["night"]["closed"] and floor["night"]["closed_reason"] == "Burst pipe"
    hold = await client.post(f"/api/v1/venues/{mine.slug}/holds", json=body)
    assert hold.status_code == 409 and hold.json()["code"] == "night_closed"
    reopened = await client.post(f"{base(mine)}{NIGHT}/reopen", headers=csrf)
    assert reopened.json()["closed"] is False
    assert (await client.post(f"/api/v1/venues/{mine.slug}/holds", json=body)).status_code == 201


async def test_blocking_an_area(client: httpx.AsyncClient, mine: Tenant) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    area = (
        await client.post(f"{base(mine)}/floor-plan/areas", json={"name": "VIP"}, headers=csrf)
    ).json()
    for label in ("T3", "T4"):
        r = await client.patch(
            f"{base(mine)}/floor-plan/tables/{mine.tid(label)}",
            json={"area_id": area["id"]},
            headers=csrf,
        )
        assert r.status_code == 200 and r.json()["area_id"] == area["id"]
    r = await client.post(
        f"{base(mine)}{NIGHT}/blocks", json={"area_id": area["id"], "reason": "Party"}, headers=csrf
    )
    assert sorted(b["table_id"] for b in r.json()) == sorted([mine.tid("T3"), mine.tid("T4")])
    states = await floor_states(client, mine)
    assert states["T3"] == states["T4"] == "blocked" and states["T1"] == "free"


async def test_floor_plan_editing(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    fp = f"{base(mine)}/floor-plan"
    added = await client.post(
        fp + "/tables",
        json={"label": "B9", "tier": "vip", "max_party": 10, "x": 300, "y": 200, "rotation": 45},
        headers=csrf,
    )
    assert added.status_code == 201, added.text
    new_id = added.json()["id"]
    dup = await client.post(fp + "/tables", json={"label": "T1", "tier": "vip"}, headers=csrf)
    assert dup.status_code == 409 and dup.json()["code"] == "label_taken"
    bad = await client.post(fp + "/tables", json={"label": "Z", "tier": "gold"}, headers=csrf)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "tier"
    bad = await client.patch(fp + f"/tables/{new_id}", json={"min_party": 12}, headers=csrf)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "max_party"
    moved = await client.patch(
        fp + f"/tables/{new_id}", json={"x": 10, "width": 120, "label": "B1"}, headers=csrf
    )
    assert moved.json()["x"] == 10 and moved.json()["label"] == "B1"
    floor = (await client.get(f"/api/v1/venues/{mine.slug}{NIGHT}/floor")).json()
    assert any(t["label"] == "B1" and t["rotation"] == 45 for t in floor["tables"])
    plan = (await client.get(fp)).json()
    assert [mine.tid("T1"), mine.tid("T2")] in [sorted(p) for p in plan["links"]] or [
        mine.tid("T2"),
        mine.tid("T1"),
    ] in plan["links"]
    assert set(plan["tiers"]) == {"standard", "vip"}

    res = await book(client, mine, ["T3"])
    refused = await client.delete(fp + f"/tables/{mine.tid('T3')}", headers=csrf)
    assert refused.status_code == 409 and refused.json()["code"] == "table_has_future_bookings"
    assert refused.json()["count"] == 1
    await client.post(
        f"{base(mine)}/reservations/{res['id']}/move",
        json={"table_ids": [mine.tid("T4")]},
        headers=csrf,
    )
    assert (await client.delete(fp + f"/tables/{mine.tid('T3')}", headers=csrf)).status_code == 204
    assert (await client.delete(fp + f"/tables/{new_id}", headers=csrf)).status_code == 204
    labels = [t["label"] for t in (await client.get(fp)).json()["tables"]]
    assert labels == ["T1", "T2", "T4"]
    # T3 was used, so it is retired (kept for history) and its label is free again.
    again = await client.post(fp + "/tables", json={"label": "T3", "tier": "vip"}, headers=csrf)
    assert again.status_code == 201
    async with session_factory(engine)() as s:
        actions = list(
            await s.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.tenant_id == mine.world.venue.tenant_id,
                    AuditEntry.entity == "floor_plan",
                )
            )
        )
    assert actions.count("table.added") == 2 and actions.count("table.deleted") == 2


async def test_rules_editing_explains_itself_and_checks_the_version(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    url = f"{base(mine)}/rules"
    current: dict[str, Any] = (await client.get(url)).json()
    assert current["version"] == 1 and "help" in current["fields"]["cutoff_minutes"]
    bad = await client.patch(
        url,
        json={"version": 1, "hold_minutes": 0, "min_party": 8, "max_party": 4},
        headers=csrf,
    )
    assert bad.status_code == 422 and bad.json()["code"] == "rules_invalid"
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"hold_minutes", "max_party"}
    ok = await client.patch(url, json={"version": 1, "cutoff_minutes": 0}, headers=csrf)
    assert ok.status_code == 200 and ok.json()["cutoff_minutes"] == 0 and ok.json()["version"] == 2
    stale = await client.patch(url, json={"version": 1, "cutoff_minutes": 30}, headers=csrf)
    assert stale.status_code == 409 and stale.json()["code"] == "rules_changed"
    audit = (await client.get("/api/v1/staff/audit", params={"entity": "venue"})).json()
    assert audit[0]["action"] == "rules.updated" and audit[0]["after"]["cutoff_minutes"] == 0


async def test_users_and_password_change_revokes_sessions(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    weak = await client.post(
        "/api/v1/staff/users",
        json={"email": "dj@example.com", "name": "DJ", "role": "floor", "password": "short"},
        headers=csrf,
    )
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    owner = await client.post(
        "/api/v1/staff/users",
        json={"email": "o2@example.com", "name": "O", "role": "owner", "password": "p" * 12},
        headers=csrf,
    )
    assert owner.status_code == 403
    email = f"dj-{mine.slug}@example.com"
    made = await client.post(
        "/api/v1/staff/users",
        json={"email": email.upper(), "name": "DJ", "role": "floor", "password": "p" * 12},
        headers=csrf,
    )
    assert made.status_code == 201 and made.json()["email"] == email
    dup = await client.post(
        "/api/v1/staff/users",
        json={"email": email, "name": "DJ", "role": "floor", "password": "p" * 12},
        headers=csrf,
    )
    assert dup.status_code == 409 and dup.json()["code"] == "email_taken"

    client.cookies.clear()
    r = await client.post("/api/v1/staff/login", json={"email": email, "password": "p" * 12})
    dj_cookie = r.cookies["maitre_session"]
    csrf = await sign_in(client, mine.emails["manager"])
    changed = await client.post(
        f"/api/v1/staff/users/{made.json()['id']}/password",
        json={"password": "q" * 12},
        headers=csrf,
    )
    assert changed.status_code == 204
    client.cookies.clear()
    client.cookies.set("maitre_session", dj_cookie)
    assert (await client.get("/api/v1/staff/me")).status_code == 401
    dj = await client.post("/api/v1/staff/login", json={"email": email, "password": "q" * 12})
    assert dj.status_code == 200

    # Changing your own password ends your own sessions too.
    own = await client.post(
        "/api/v1/staff/me/password",
        json={"current_password": "q" * 12, "new_password": "r" * 12},
        headers={"X-CSRF-Token": dj.json()["csrf_token"]},
    )
    assert own.status_code == 204
    assert (await client.get("/api/v1/staff/me")).status_code == 401
