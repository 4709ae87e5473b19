"""The public appointments API end to end (on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from venue.core.db import session_factory

from .factories import Salon, create_salon

GUEST = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "07911 123456"}
DAY = "2026-11-24"  # a Tuesday; the clock says Friday 20 November, 12:00


@pytest.fixture
async def salon(engine: AsyncEngine) -> Salon:
    async with session_factory(engine)() as s, s.begin():
        return await create_salon(s)


def base(salon: Salon) -> str:
    return f"/api/v1/venues/{salon.venue.slug}"


async def slots(client: httpx.AsyncClient, salon: Salon, service: str, **params: Any) -> list:
    sid = salon.services[service].id
    r = await client.get(f"{base(salon)}/services/{sid}/slots", params={"date": DAY, **params})
    assert r.status_code == 200, r.text
    return r.json()["slots"]


async def hold(client: httpx.AsyncClient, salon: Salon, service: str, at: str, **kw: Any):
    body = {"service_id": str(salon.services[service].id), "starts_at": at, **kw}
    return await client.post(f"{base(salon)}/appointments/holds", json=body)


async def test_services_staff_and_the_mode(client: httpx.AsyncClient, salon: Salon) -> None:
    venue = (await client.get(base(salon))).json()
    assert venue["mode"] == "appointments"
    services = (await client.get(f"{base(salon)}/services")).json()
    assert [s["name"] for s in services] == ["Cut", "Colour"]
    assert services[1]["deposit"] == 2000 and services[1]["currency"] == "GBP"
    assert services[1]["staff_ids"] == [str(salon.staff["Ana"].id)]
    staff = (await client.get(f"{base(salon)}/staff")).json()
    assert [s["name"] for s in staff] == ["Ana", "Ben"]


async def test_book_anyone_available_then_cancel_by_token(
    client: httpx.AsyncClient, salon: Salon
) -> None:
    offered = await slots(client, salon, "Cut")
    assert offered[0]["starts_local"] == "2026-11-24T09:00+00:00"
    assert len(offered[0]["staff_ids"]) == 2
    placed = await hold(client, salon, "Cut", offered[0]["starts_at"])
    assert placed.status_code == 201, placed.text
    res, token = placed.json()["reservation"], placed.json()["token"]
    assert res["quote"]["appointment"]["staff"] == "Ana" and res["tables"] == []
    done = await client.post(
        f"{base(salon)}/holds/{res['id']}/complete", json={"token": token, "guest": GUEST}
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "confirmed"  # a cut takes no deposit
    after = await slots(client, salon, "Cut")
    assert after[0]["staff_ids"] == [str(salon.staff["Ben"].id)]
    mine = (await client.get(f"{base(salon)}/reservations/{token}")).json()
    assert mine["starts_local"] == "2026-11-24T09:00+00:00" and mine["guest_name"] == "Ada Lovelace"
    gone = await client.post(f"{base(salon)}/reservations/{token}/cancel")
    assert gone.json()["status"] == "cancelled"
    assert len((await slots(client, salon, "Cut"))[0]["staff_ids"]) == 2


async def test_a_deposit_service_waits_for_payment(client: httpx.AsyncClient, salon: Salon) -> None:
    placed = (await hold(client, salon, "Colour", "2026-11-24T10:00:00Z")).json()
    done = await client.post(
        f"{base(salon)}/holds/{placed['reservation']['id']}/complete",
        json={"token": placed["token"], "guest": GUEST},
    )
    assert done.json()["status"] == "pending_payment" and done.json()["deposit"] == 2000


async def test_refusals_are_clear_problems(client: httpx.AsyncClient, salon: Salon) -> None:
    ben = str(salon.staff["Ben"].id)
    assert (
        await hold(client, salon, "Cut", "2026-11-24T10:00:00Z", staff_id=ben)
    ).status_code == 201
    taken = await hold(client, salon, "Cut", "2026-11-24T10:30:00Z", staff_id=ben)
    assert taken.status_code == 409 and taken.json()["code"] == "staff_unavailable"
    off_grid = await hold(client, salon, "Cut", "2026-11-24T10:07:00Z")
    assert off_grid.status_code == 422 and off_grid.json()["errors"][0]["field"] == "starts_at"
    not_his = await hold(client, salon, "Colour", "2026-11-24T13:00:00Z", staff_id=ben)
    assert not_his.status_code == 422 and not_his.json()["errors"][0]["field"] == "staff_id"
    naive = await hold(client, salon, "Cut", "2026-11-24T13:00:00")
    assert naive.status_code == 422
    unknown = await client.post(
        f"{base(salon)}/appointments/holds",
        json={
            "service_id": "00000000-0000-0000-0000-000000000000",
            "starts_at": "2026-11-24T13:00:00Z",
        },
    )
    assert unknown.status_code == 404
    past = await hold(client, salon, "Cut", "2026-11-20T12:15:00Z")
    assert past.status_code == 409 and past.json()["code"] == "booking_cutoff"
    sunday = await client.get(
        f"{base(salon)}/services/{salon.services['Cut'].id}/slots", params={"date": "2026-11-29"}
    )
    assert sunday.json()["slots"] == []  # nobody works on Sundays


async def test_slots_for_one_staff_member(client: httpx.AsyncClient, salon: Salon) -> None:
    ben = str(salon.staff["Ben"].id)
    await hold(client, salon, "Cut", "2026-11-24T09:00:00Z", staff_id=ben)
    mine = await slots(client, salon, "Cut", staff_id=ben)
    assert mine[0]["starts_local"] == "2026-11-24T10:00+00:00"  # 45 minutes + 15 cleanup


async def book(client: httpx.AsyncClient, salon: Salon, service: str, at: str, **kw: Any):
    placed = (await hold(client, salon, service, at, **kw)).json()
    done = await client.post(
        f"{base(salon)}/holds/{placed['reservation']['id']}/complete",
        json={"token": placed["token"], "guest": GUEST},
    )
    assert done.status_code == 200, done.text
    return placed["token"]


async def test_a_guest_moves_their_appointment(client: httpx.AsyncClient, salon: Salon) -> None:
    ben = str(salon.staff["Ben"].id)
    token = await book(client, salon, "Cut", "2026-11-24T10:00:00Z", staff_id=ben)
    # While moving, the guest's own time counts as free: 10:15 overlaps only itself.
    offered = await slots(client, salon, "Cut", staff_id=ben, moving=token)
    assert "2026-11-24T10:15+00:00" in [s["starts_local"] for s in offered]
    moved = await client.post(
        f"{base(salon)}/reservations/{token}/appointment/move",
        json={"starts_at": "2026-11-24T10:15:00Z", "staff_id": ben},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["starts_local"] == "2026-11-24T10:15+00:00"
    assert moved.json()["quote"]["rescheduled"]["from"]["time"] == "10:00"
    # Ben's 10:00 is free again; the new range holds.
    mine = await slots(client, salon, "Cut", staff_id=ben)
    assert mine[0]["starts_local"] == "2026-11-24T09:00+00:00"
    assert "2026-11-24T11:15+00:00" in [s["starts_local"] for s in mine]
    assert "2026-11-24T11:00+00:00" not in [s["starts_local"] for s in mine]
    other = await book(client, salon, "Cut", "2026-11-24T14:00:00Z", staff_id=ben)
    clash = await client.post(
        f"{base(salon)}/reservations/{other}/appointment/move",
        json={"starts_at": "2026-11-24T10:30:00Z", "staff_id": ben},
    )
    assert clash.status_code == 409 and clash.json()["code"] == "staff_unavailable"
    late = await client.post(
        f"{base(salon)}/reservations/{token}/appointment/move",
        json={"starts_at": "2026-11-20T12:15:00Z"},
    )
    assert late.status_code == 409
