"""The public JSON API end to end (on SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.conftest import SAT
from tests.conftest import FakeClock
from tests.factories import World
from venue.core.db import session_factory
from venue.models import Turnaway

GUEST = {"name": "Ada Lovelace", "email": "Ada@Example.com", "phone": "07911 123456"}


def base(world: World) -> str:
    return f"/api/v1/venues/{world.venue.slug}"


async def hold(
    client: httpx.AsyncClient, world: World, label: str = "T1", **kw: Any
) -> httpx.Response:
    body = {"date": SAT.isoformat(), "table_ids": [str(world.table(label).id)], "party_size": 2}
    return await client.post(f"{base(world)}/holds", json={**body, **kw})


async def test_venue_and_nights(client: httpx.AsyncClient, world: World) -> None:
    venue = (await client.get(base(world))).json()
    assert venue["timezone"] == "Europe/London" and venue["currency"] == "GBP"
    nights = (await client.get(f"{base(world)}/nights", params={"from": "2026-11-20"})).json()
    assert [n["date"] for n in nights] == ["2026-11-21"]
    night = nights[0]
    assert night["opens_local"] == "2026-11-21T22:00+00:00"
    assert night["closes_local"] == "2026-11-22T04:00+00:00"  # past midnight, same night
    assert night["tables_free"] == 4 and not night["sold_out"]
    assert night["bookable"] and night["booking_closes_at"] == "2026-11-21T21:00:00Z"


async def test_a_night_past_its_cutoff_is_not_bookable(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    clock.now = clock.now.replace(day=21, hour=21, minute=0)
    nights = (await client.get(f"{base(world)}/nights", params={"from": "2026-11-21"})).json()
    assert nights[0]["bookable"] is False and nights[0]["tables_free"] == 4


async def test_every_guest_problem_is_reported_at_once(
    client: httpx.AsyncClient, world: World
) -> None:
    placed = (await hold(client, world)).json()
    r = await client.post(
        f"{base(world)}/holds/{placed['reservation']['id']}/complete",
        json={"token": placed["token"], "guest": {"name": " ", "email": "x@", "phone": "12"}},
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["guest.name", "guest.email", "guest.phone"]


async def test_floor_map_shows_states_and_minimums(client: httpx.AsyncClient, world: World) -> None:
    assert (await hold(client, world, "T1")).status_code == 201
    floor = (await client.get(f"{base(world)}/nights/{SAT}/floor")).json()
    states = {t["label"]: t["state"] for t in floor["tables"]}
    assert states == {"T1": "held", "T2": "free", "T3": "free", "T4": "free"}
    minimums = {t["label"]: (t["tier"], t["minimum"]) for t in floor["tables"]}
    assert minimums["T1"] == ("standard", 50000) and minimums["T2"] == ("vip", 100000)
    assert floor["night"]["tables_free"] == 3


async def test_booking_flow_lookup_and_cancel(client: httpx.AsyncClient, world: World) -> None:
    placed = (await hold(client, world)).json()
    rid, token = placed["reservation"]["id"], placed["token"]
    assert placed["reservation"]["status"] == "hold" and len(token) >= 43
    done = await client.post(
        f"{base(world)}/holds/{rid}/complete",
        json={"token": token, "guest": GUEST, "notes": "Birthday"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "confirmed"
    assert done.json()["starts_local"] == "2026-11-21T22:00+00:00"
    found = (await client.get(f"{base(world)}/reservations/{token}")).json()
    assert found["id"] == rid and found["guest_name"] == "Ada Lovelace"
    assert found["table_ids"] == [str(world.table("T1").id)]
    first = await client.post(f"{base(world)}/reservations/{token}/cancel")
    second = await client.post(f"{base(world)}/reservations/{token}/cancel")
    assert first.json()["status"] == second.json()["status"] == "cancelled"
    floor = (await client.get(f"{base(world)}/nights/{SAT}/floor")).json()
    assert all(t["state"] == "free" for t in floor["tables"])


async def test_taken_table_is_a_409_with_a_stable_code(
    client: httpx.AsyncClient, world: World
) -> None:
    assert (await hold(client, world)).status_code == 201
    lost = await hold(client, world)
    assert lost.status_code == 409
    assert lost.headers["content-type"].startswith("application/problem+json")
    assert lost.json()["code"] == "table_unavailable"
    assert lost.json()["table_ids"] == [str(world.table("T1").id)]


async def test_expired_hold_frees_the_table_and_completing_it_is_gone(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    placed = (await hold(client, world)).json()
    clock.advance(minutes=10)
    late = await client.post(
        f"{base(world)}/holds/{placed['reservation']['id']}/complete",
        json={"token": placed["token"], "guest": GUEST},
    )
    assert late.status_code == 410 and late.json()["code"] == "hold_expired"
    assert (await hold(client, world)).status_code == 201


async def test_release_hold(client: httpx.AsyncClient, world: World) -> None:
    placed = (await hold(client, world)).json()
    rid = placed["reservation"]["id"]
    wrong = await client.post(f"{base(world)}/holds/{rid}/release", json={"token": "x" * 43})
    assert wrong.status_code == 404
    ok = await client.post(f"{base(world)}/holds/{rid}/release", json={"token": placed["token"]})
    assert ok.json()["status"] == "cancelled"
    assert (await hold(client, world)).status_code == 201


async def test_refusals_are_recorded_as_turned_away_demand(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    await hold(client, world, "T1")
    assert (await hold(client, world, "T1")).json()["code"] == "table_unavailable"
    assert (await hold(client, world, "T2", party_size=15)).json()[
        "code"
    ] == "party_size_not_allowed"
    none_fit = await client.get(
        f"{base(world)}/nights/{SAT}/availability", params={"party_size": 9}
    )
    assert none_fit.status_code == 200 and none_fit.json()["tables"] == []
    async with session_factory(engine)() as s:
        rows = (await s.scalars(select(Turnaway).where(Turnaway.venue_id == world.venue.id))).all()
    assert sorted((r.reason, r.party_size) for r in rows) == [
        ("party_size_not_allowed", 15),
        ("sold_out", 9),
        ("table_unavailable", 2),
    ]
    assert all(r.business_date == SAT for r in rows)


async def test_availability_lists_free_tables_that_fit(
    client: httpx.AsyncClient, world: World
) -> None:
    await hold(client, world, "T1")
    got = (
        await client.get(f"{base(world)}/nights/{SAT}/availability", params={"party_size": 4})
    ).json()
    assert [t["label"] for t in got["tables"]] == ["T2", "T3", "T4"]


async def test_other_tenants_things_are_404(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    from tests.api.conftest import NOW
    from tests.factories import create_night_for, create_venue

    async with session_factory(engine)() as s, s.begin():
        other = await create_venue(s)
        await create_night_for(s, other, SAT, now=NOW)
    foreign = await hold(client, world, table_ids=[str(other.table("T1").id)])
    assert foreign.status_code == 404 and foreign.json()["code"] == "not_found"
    placed = (await hold(client, other)).json()
    # The other venue's token means nothing under this venue's slug.
    assert (await client.get(f"{base(world)}/reservations/{placed['token']}")).status_code == 404
    assert (await client.get("/api/v1/venues/nope/nights")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-13-45", "table_ids": [str(uuid.uuid4())], "party_size": 2}, "date"),
        ({"date": "2026-11-21", "table_ids": ["nope"], "party_size": 2}, "table_ids.0"),
        ({"date": "2026-11-21", "table_ids": [], "party_size": 2}, "table_ids"),
        ({"date": "2026-11-21", "table_ids": [str(uuid.uuid4())], "party_size": 0}, "party_size"),
        (
            {"date": "2026-11-21", "table_ids": [str(uuid.uuid4())], "party_size": 10**30},
            "party_size",
        ),
        ({"date": "2026-11-21", "table_ids": [str(uuid.uuid4())]}, "party_size"),
        (
            {
                "date": "2026-11-21",
                "table_ids": [str(uuid.uuid4())],
                "party_size": 2,
                "tenant_id": "x",
            },
            "tenant_id",
        ),
    ],
)
async def test_malformed_input_is_a_422_naming_the_field(
    client: httpx.AsyncClient, world: World, body: dict, field: str
) -> None:
    r = await client.post(f"{base(world)}/holds", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid"
    assert field in [e["field"] for e in r.json()["errors"]]


@pytest.mark.parametrize(
    ("guest", "field"),
    [
        ({"name": "A", "email": "not-an-email"}, "guest.email"),
        ({"name": "A", "phone": "12"}, "guest.phone"),
        ({"name": "   ", "email": "a@example.com"}, "guest.name"),
        ({"name": "A"}, "guest"),
    ],
)
async def test_bad_guest_details_are_422(
    client: httpx.AsyncClient, world: World, guest: dict, field: str
) -> None:
    placed = (await hold(client, world)).json()
    r = await client.post(
        f"{base(world)}/holds/{placed['reservation']['id']}/complete",
        json={"token": placed["token"], "guest": guest},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field
    # Nothing stored was lost: the hold still stands and can be completed.
    ok = await client.post(
        f"{base(world)}/holds/{placed['reservation']['id']}/complete",
        json={"token": placed["token"], "guest": GUEST},
    )
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        b"{bad json",
        b"[]",
        b"null",
        b'{"date": null}',
        "\u0000".encode(),
        b'"' + b"a" * 10000 + b'"',
    ],
)
async def test_garbage_never_500s(client: httpx.AsyncClient, world: World, raw: bytes) -> None:
    r = await client.post(
        f"{base(world)}/holds", content=raw, headers={"content-type": "application/json"}
    )
    assert r.status_code == 422


async def test_unknown_routes_and_dates_are_problem_404s(
    client: httpx.AsyncClient, world: World
) -> None:
    for path in (
        f"{base(world)}/nights/2030-01-01/floor",
        "/api/v1/nothing",
        f"{base(world)}/nights/not-a-date/floor",
    ):
        r = await client.get(path)
        assert r.status_code in (404, 422)
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_cutoff_applies_in_the_venue_timezone(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    clock.now = clock.now.replace(day=21, hour=21, minute=0) - timedelta(seconds=1)
    assert (await hold(client, world, "T1")).status_code == 201  # 60 min before 22:00 GMT
    clock.advance(seconds=2)
    late = await hold(client, world, "T2")
    assert late.status_code == 409 and late.json()["code"] == "booking_cutoff"


async def test_openapi_documents_the_api(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/venues/{slug}/holds" in spec["paths"]
    assert "examples" in str(spec["components"]["schemas"]["HoldIn"])
