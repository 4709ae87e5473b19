"""Refund policy and reminder schedule edited as data by managers, validated and audited."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.test_pricing_api import add_staff, sign_in
from tests.factories import World
from venue.core.db import session_factory
from venue.models import AuditEntry


async def test_refund_policy_round_trip_validation_and_audit(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    url = f"/api/v1/staff/venues/{world.venue.slug}/refund-policy"
    csrf = await sign_in(client, await add_staff(engine, world, "manager"))
    default = (await client.get(url)).json()
    assert default == {
        "custom": False,
        "rules": [
            {"hours_before_start": 48, "refund_bp": 10000},
            {"hours_before_start": 24, "refund_bp": 5000},
        ],
    }
    bad = {
        "rules": [
            {"hours_before_start": 72, "refund_bp": 2000},
            {"hours_before_start": 24, "refund_bp": 12000},
        ]
    }
    r = await client.put(url, json=bad, headers=csrf)
    assert r.status_code == 422 and r.json()["code"] == "policy_invalid"
    assert {e["field"] for e in r.json()["errors"]} == {"rules[1].refund_bp", "rules"}
    good = {
        "rules": [
            {"hours_before_start": 24, "refund_bp": 5000},
            {"hours_before_start": 72, "refund_bp": 10000},
        ]
    }
    saved = (await client.put(url, json=good, headers=csrf)).json()
    assert saved["custom"] and [r["hours_before_start"] for r in saved["rules"]] == [72, 24]
    async with session_factory(engine)() as s:
        entry = await s.scalar(
            select(AuditEntry).where(
                AuditEntry.tenant_id == world.venue.tenant_id,
                AuditEntry.action == "refund_policy.replaced",
            )
        )
    assert entry is not None and entry.before["custom"] is False  # type: ignore[index]


async def test_mail_settings_and_roles(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    url = f"/api/v1/staff/venues/{world.venue.slug}/mail-settings"
    floor = await sign_in(client, await add_staff(engine, world, "floor"))
    assert (await client.get(url)).json()["reminder_minutes"] == [1440, 120]
    denied = await client.put(url, json={"reminder_minutes": [60], "language": "en"}, headers=floor)
    assert denied.status_code == 403
    client.cookies.clear()
    csrf = await sign_in(client, await add_staff(engine, world, "manager"))
    bad = await client.put(url, json={"reminder_minutes": [5, 5], "language": "xx"}, headers=csrf)
    assert {e["field"] for e in bad.json()["errors"]} == {
        "reminder_minutes[0]",
        "reminder_minutes[1]",
        "reminder_minutes",
        "language",
    }
    ok = await client.put(
        url, json={"reminder_minutes": [180, 2880], "language": "en"}, headers=csrf
    )
    assert ok.json()["reminder_minutes"] == [2880, 180]
