"""Pricing wired through the API: quotes locked into holds, managers editing rules."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.conftest import SAT
from tests.factories import World, create_venue
from venue.core.db import session_factory
from venue.models import AuditEntry, StaffUser
from venue.staff.sessions import HASHER
from web.routes.pricing import RULES_EXAMPLE

PASSWORD = "correct horse battery staple"


def rules(base: int = 50000, **extra: object) -> dict[str, object]:
    return {
        "currency": "GBP",
        "rounding_step": 100,
        "tiers": [
            {"tier": "standard", "base_minimum": base, "floor": None, "ceiling": None},
            {"tier": "vip", "base_minimum": base * 2, "floor": None, "ceiling": None},
        ],
        "adjustments": [
            {
                "kind": "demand",
                "mode": "percent",
                "value": 2000,
                "threshold_bp": 5000,
                "scope": "tier",
                "label": "Half full",
            }
        ],
        "deposits": [{"mode": "none", "value": 0, "tier": None}],
        **extra,
    }


async def add_staff(engine: AsyncEngine, world: World, role: str) -> str:
    email = f"{role}-{world.venue.slug}@example.com"
    async with session_factory(engine)() as s, s.begin():
        s.add(
            StaffUser(
                tenant_id=world.venue.tenant_id,
                email=email,
                name=role.title(),
                role=role,
                password_hash=HASHER.hash(PASSWORD),
            )
        )
    return email


async def sign_in(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    r = await client.post("/api/v1/staff/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


def floor_prices(floor: dict) -> dict[str, int]:
    return {t["label"]: t["minimum"] for t in floor["tables"]}


async def test_price_change_after_a_hold_does_not_change_that_hold(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    slug = world.venue.slug
    csrf = await sign_in(client, await add_staff(engine, world, "manager"))
    assert (
        await client.put(f"/api/v1/staff/venues/{slug}/pricing", json=rules(), headers=csrf)
    ).status_code == 200
    body = {"date": SAT.isoformat(), "table_ids": [str(world.table("T1").id)], "party_size": 2}
    placed = (await client.post(f"/api/v1/venues/{slug}/holds", json=body)).json()
    assert placed["reservation"]["minimum"] == 50000

    raised = await client.put(
        f"/api/v1/staff/venues/{slug}/pricing", json=rules(base=80000), headers=csrf
    )
    assert raised.status_code == 200
    floor = (await client.get(f"/api/v1/venues/{slug}/nights/{SAT}/floor")).json()
    # T1 and T3 are the standard tier; with T1 held the tier is half full: +20%.
    assert floor_prices(floor)["T3"] == 96000

    done = await client.post(
        f"/api/v1/venues/{slug}/holds/{placed['reservation']['id']}/complete",
        json={"token": placed["token"], "guest": {"name": "Ada", "email": "ada@example.com"}},
    )
    assert done.json()["minimum"] == 50000  # what the guest was shown when holding
    assert done.json()["quote"]["tables"][0]["minimum"] == 50000


async def test_demand_raises_the_price_of_the_rest_of_the_tier(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    slug = world.venue.slug
    csrf = await sign_in(client, await add_staff(engine, world, "manager"))
    await client.put(f"/api/v1/staff/venues/{slug}/pricing", json=rules(), headers=csrf)
    before = floor_prices((await client.get(f"/api/v1/venues/{slug}/nights/{SAT}/floor")).json())
    body = {"date": SAT.isoformat(), "table_ids": [str(world.table("T1").id)], "party_size": 2}
    await client.post(f"/api/v1/venues/{slug}/holds", json=body)
    after = floor_prices((await client.get(f"/api/v1/venues/{slug}/nights/{SAT}/floor")).json())
    assert before["T3"] == 50000 and after["T3"] == 60000
    assert before["T2"] == after["T2"] == 100000  # the vip tier is still empty

    preview = await client.get(
        f"/api/v1/staff/venues/{slug}/pricing/preview",
        params={"date": SAT.isoformat(), "taken_bp": 7000},
    )
    by_label = {q["label"]: q for q in preview.json()}
    assert by_label["T2"]["minimum"] == 120000
    assert [line["kind"] for line in by_label["T2"]["lines"]][:2] == ["base", "demand"]


async def test_invalid_rules_are_explained_and_nothing_changes(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    slug = world.venue.slug
    csrf = await sign_in(client, await add_staff(engine, world, "manager"))
    bad = rules()
    bad["tiers"] = [{"tier": "standard", "base_minimum": -5, "floor": 900, "ceiling": 100}]
    r = await client.put(f"/api/v1/staff/venues/{slug}/pricing", json=bad, headers=csrf)
    assert r.status_code == 422 and r.json()["code"] == "pricing_rules_invalid"
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"tiers[0].base_minimum", "tiers[0].floor"} <= fields
    ghost = rules()
    ghost["tiers"].append({"tier": "ghost", "base_minimum": 1, "floor": None, "ceiling": None})  # type: ignore[attr-defined]
    r = await client.put(f"/api/v1/staff/venues/{slug}/pricing", json=ghost, headers=csrf)
    assert r.status_code == 422 and "tiers[2].tier" in {e["field"] for e in r.json()["errors"]}
    r = await client.put(
        f"/api/v1/staff/venues/{slug}/pricing", json=rules(currency="EUR"), headers=csrf
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "currency"
    current = (await client.get(f"/api/v1/staff/venues/{slug}/pricing")).json()
    assert current["tiers"][0]["base_minimum"] == 50000


async def test_amounts_past_their_column_are_explained(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    slug = world.venue.slug
    csrf = await sign_in(client, await add_staff(engine, world, "manager"))
    r = await client.put(
        f"/api/v1/staff/venues/{slug}/pricing", json=rules(base=2**31), headers=csrf
    )
    assert r.status_code == 422 and r.json()["code"] == "pricing_rules_invalid"
    assert "tiers[0].base_minimum" in {e["field"] for e in r.json()["errors"]}


async def test_rule_changes_are_audited_with_the_manager(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    csrf = await sign_in(client, await add_staff(engine, world, "manager"))
    await client.put(
        f"/api/v1/staff/venues/{world.venue.slug}/pricing", json=rules(base=70000), headers=csrf
    )
    async with session_factory(engine)() as s:
        entry = await s.scalar(
            select(AuditEntry).where(
                AuditEntry.tenant_id == world.venue.tenant_id,
                AuditEntry.action == "pricing.replaced",
            )
        )
    assert entry is not None and entry.actor.startswith("staff:")
    assert entry.before["tiers"][0]["base_minimum"] == 50000  # type: ignore[index]
    assert entry.after["tiers"][0]["base_minimum"] == 70000  # type: ignore[index]


async def test_pricing_api_is_for_signed_in_managers_of_that_tenant(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    slug = world.venue.slug
    url = f"/api/v1/staff/venues/{slug}/pricing"
    assert (await client.get(url)).status_code == 401
    bad_login = await client.post(
        "/api/v1/staff/login", json={"email": "nobody@example.com", "password": "x"}
    )
    assert bad_login.status_code == 401 and bad_login.json()["code"] == "login_failed"

    host_csrf = await sign_in(client, await add_staff(engine, world, "host"))
    assert (await client.put(url, json=rules(), headers=host_csrf)).status_code == 403

    csrf = await sign_in(client, await add_staff(engine, world, "manager"))
    assert (await client.put(url, json=rules())).status_code == 403  # no CSRF header
    assert (
        await client.put(url, json=rules(), headers={"X-CSRF-Token": "nope"})
    ).status_code == 403

    async with session_factory(engine)() as s, s.begin():
        other = await create_venue(s)
    foreign = await client.get(f"/api/v1/staff/venues/{other.venue.slug}/pricing")
    assert foreign.status_code == 404

    assert (await client.post("/api/v1/staff/logout", headers=csrf)).status_code == 204
    assert (await client.get(url)).status_code == 401


async def test_a_table_quote_explains_itself(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    slug = world.venue.slug
    csrf = await sign_in(client, await add_staff(engine, world, "manager"))
    await client.put(f"/api/v1/staff/venues/{slug}/pricing", json=rules(), headers=csrf)
    body = {"date": SAT.isoformat(), "table_ids": [str(world.table("T1").id)], "party_size": 2}
    await client.post(f"/api/v1/venues/{slug}/holds", json=body)
    t3 = world.table("T3").id
    quote = (await client.get(f"/api/v1/venues/{slug}/nights/{SAT}/tables/{t3}/quote")).json()
    assert [(line["kind"], line["delta"]) for line in quote["lines"]][:2] == [
        ("base", 50000),
        ("demand", 10000),
    ]
    floor = (await client.get(f"/api/v1/venues/{slug}/nights/{SAT}/floor")).json()
    assert quote["minimum"] == floor_prices(floor)["T3"] == 60000
    other = await client.get(f"/api/v1/venues/{slug}/nights/{SAT}/tables/{uuid.uuid4()}/quote")
    assert other.status_code == 404


async def test_rules_that_leave_a_tier_with_tables_unpriced_are_refused(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """The documented example prices only "standard"; this venue also has vip tables."""
    slug = world.venue.slug
    csrf = await sign_in(client, await add_staff(engine, world, "manager"))
    url = f"/api/v1/staff/venues/{slug}/pricing"
    r = await client.put(url, json=RULES_EXAMPLE, headers=csrf)
    assert r.status_code == 422 and r.json()["code"] == "pricing_rules_invalid"
    assert r.json()["errors"] == [
        {"field": "tiers", "message": "tier 'vip' has tables but no price; add a price row for it"}
    ]
    assert (await client.get(f"/api/v1/venues/{slug}/nights/{SAT}/floor")).status_code == 200
    assert [t["tier"] for t in (await client.get(url)).json()["tiers"]] == ["standard", "vip"]
