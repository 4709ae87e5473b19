"""The staff side of appointments: day view, drag (move), walk-ins, hours and days off."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from venue.core.db import session_factory
from venue.models import StaffUser
from venue.staff.sessions import HASHER

from .factories import Salon, create_salon

PASSWORD = "correct horse battery staple"
DAY = "2026-11-24"


@pytest.fixture
async def salon(engine: AsyncEngine) -> Salon:
    async with session_factory(engine)() as s, s.begin():
        salon = await create_salon(s)
        for role in ("manager", "floor"):
            s.add(
                StaffUser(
                    tenant_id=salon.venue.tenant_id,
                    email=f"{role}-{salon.venue.slug}@example.com",
                    name=role.title(),
                    role=role,
                    password_hash=HASHER.hash(PASSWORD),
                )
            )
        return salon


async def sign_in(client: httpx.AsyncClient, salon: Salon, role: str) -> dict[str, str]:
    client.cookies.clear()
    r = await client.post(
        "/api/v1/staff/login",
        json={"email": f"{role}-{salon.venue.slug}@example.com", "password": PASSWORD},
    )
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


def api(salon: Salon) -> str:
    return f"/api/v1/staff/venues/{salon.venue.slug}/appointments"


async def test_walk_in_then_drag_within_the_guarantees(
    client: httpx.AsyncClient, salon: Salon
) -> None:
    csrf = await sign_in(client, salon, "floor")
    ana, ben = str(salon.staff["Ana"].id), str(salon.staff["Ben"].id)
    walk = await client.post(
        f"{api(salon)}/walk-ins",
        headers=csrf,
        json={
            "service_id": str(salon.services["Colour"].id),
            "starts_at": f"{DAY}T10:00:00Z",
            "guest": {"name": "Walk In", "phone": "07700 900123"},
        },
    )
    assert walk.status_code == 201, walk.text
    assert walk.json()["status"] == "confirmed"  # the deposit is taken at the till
    other = await client.post(
        f"{api(salon)}/walk-ins",
        headers=csrf,
        json={
            "service_id": str(salon.services["Cut"].id),
            "starts_at": f"{DAY}T13:00:00Z",
            "staff_id": ben,
            "guest": {"name": "Second", "phone": "07700 900456"},
        },
    )
    day = (await client.get(f"{api(salon)}/day", params={"date": DAY})).json()
    assert [m["name"] for m in day["staff"]] == ["Ana", "Ben"]
    assert day["staff"][0]["work"] == [["09:00", "17:00"]]
    blocks = {b["guest_name"]: b for b in day["appointments"]}
    assert blocks["Walk In"]["staff_id"] == ana
    assert blocks["Walk In"]["busy_from_local"] == f"{DAY}T09:45+00:00"
    # Drag Ben's cut onto Ana's colour: refused; to 12:00 on Ana: allowed.
    rid = other.json()["id"]
    clash = await client.post(
        f"{api(salon)}/{rid}/move",
        headers=csrf,
        json={"starts_at": f"{DAY}T10:30:00Z", "staff_id": ana},
    )
    assert clash.status_code == 409 and clash.json()["code"] == "staff_unavailable"
    moved = await client.post(
        f"{api(salon)}/{rid}/move",
        headers=csrf,
        json={"starts_at": f"{DAY}T12:00:00Z", "staff_id": ana},
    )
    assert moved.status_code == 200, moved.text
    after = (await client.get(f"{api(salon)}/day", params={"date": DAY})).json()
    block = next(b for b in after["appointments"] if b["reservation_id"] == rid)
    assert block["staff_id"] == ana and block["starts_local"] == f"{DAY}T12:00+00:00"


async def test_hours_breaks_and_days_off_are_rows_a_manager_edits(
    client: httpx.AsyncClient, salon: Salon
) -> None:
    ben = str(salon.staff["Ben"].id)
    floor = await sign_in(client, salon, "floor")
    denied = await client.put(
        f"{api(salon)}/staff/{ben}/hours", headers=floor, json={"work": {}, "breaks": {}}
    )
    assert denied.status_code == 403
    csrf = await sign_in(client, salon, "manager")
    week = await client.put(
        f"{api(salon)}/staff/{ben}/hours",
        headers=csrf,
        json={"work": {"1": [["10:00", "18:00"]]}, "breaks": {"1": [["13:00", "14:00"]]}},
    )
    assert week.status_code == 200, week.text
    assert week.json()["work"] == {"1": [["10:00", "18:00"]]}
    slots = await client.get(
        f"/api/v1/venues/{salon.venue.slug}/services/{salon.services['Cut'].id}/slots",
        params={"date": DAY, "staff_id": ben},
    )
    starts = [s["starts_local"][11:] for s in slots.json()["slots"]]
    assert starts[0] == "10:00+00:00" and "12:15+00:00" not in starts and "14:00+00:00" in starts
    off = await client.post(
        f"{api(salon)}/staff/{ben}/absences",
        headers=csrf,
        json={"first_day": DAY, "last_day": DAY, "reason": "dentist"},
    )
    assert off.status_code == 201
    day = (await client.get(f"{api(salon)}/day", params={"date": DAY})).json()
    assert day["staff"][1]["absence"]["reason"] == "dentist"
    none = await client.get(
        f"/api/v1/venues/{salon.venue.slug}/services/{salon.services['Cut'].id}/slots",
        params={"date": DAY, "staff_id": ben},
    )
    assert none.json()["slots"] == []
    absence = off.json()["absences"][0]["id"]
    back = await client.delete(f"{api(salon)}/staff/{ben}/absences/{absence}", headers=csrf)
    assert back.status_code == 200 and back.json()["absences"] == []
    bad = await client.put(
        f"{api(salon)}/staff/{ben}/hours",
        headers=csrf,
        json={"work": {"1": [["18:00", "10:00"]]}},
    )
    assert bad.status_code == 422
