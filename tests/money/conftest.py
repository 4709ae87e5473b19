"""Tenants with a venue, a Saturday night, staff of every role and two hosts (the
``host`` user is Jade's; ``host2`` is Max's); helpers to book, act and read the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.staff.conftest import PASSWORD, SAT, Tenant, base, make_tenant, sign_in
from venue.core.db import session_factory
from venue.models import CommissionEntry, Host, StaffUser
from venue.staff.sessions import HASHER

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
__all__ = ["NOW", "SAT", "Tenant", "base", "sign_in"]


class Money(Tenant):
    host2_id: Any
    host2_email: str


async def make_money_tenant(engine: AsyncEngine) -> Money:
    t = await make_tenant(engine)
    async with session_factory(engine)() as s, s.begin():
        host = Host(tenant_id=t.world.venue.tenant_id, name="Max", code=f"M{t.slug[-6:]}")
        s.add(host)
        await s.flush()
        email = f"host2-{t.slug}@example.com"
        s.add(
            StaffUser(
                tenant_id=t.world.venue.tenant_id,
                email=email,
                name="Max",
                role="host",
                password_hash=HASHER.hash(PASSWORD),
                host_id=host.id,
            )
        )
    m = Money(t.world, t.emails, t.host_id)
    m.host2_id, m.host2_email = host.id, email
    return m


@pytest.fixture
async def mine(engine: AsyncEngine) -> Money:
    return await make_money_tenant(engine)


@pytest.fixture
async def theirs(engine: AsyncEngine) -> Money:
    return await make_money_tenant(engine)


def host_base(t: Tenant) -> str:
    return f"/api/v1/host/venues/{t.slug}"


async def host_book(
    client: httpx.AsyncClient,
    t: Tenant,
    csrf: dict[str, str],
    label: str,
    party: int = 4,
    name: str = "Client",
    day: date = SAT,
) -> dict[str, Any]:
    body = {
        "date": day.isoformat(),
        "table_ids": [t.tid(label)],
        "party_size": party,
        "guest": {"name": name, "email": f"{name.lower().replace(' ', '.')}@example.com"},
        "notes": "birthday",
    }
    r = await client.post(f"{host_base(t)}/bookings", json=body, headers=csrf)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def consume(client: httpx.AsyncClient) -> None:
    loop = client.app.state.commissions  # type: ignore[attr-defined]
    while await loop.run_once():
        pass


async def ledger_sum(engine: AsyncEngine, res_id: Any, host_id: Any = None) -> int:
    import uuid

    async with session_factory(engine)() as s:
        stmt = select(func.coalesce(func.sum(CommissionEntry.amount), 0)).where(
            CommissionEntry.reservation_id == uuid.UUID(str(res_id))
        )
        if host_id is not None:
            stmt = stmt.where(CommissionEntry.host_id == host_id)
        return int(await s.scalar(stmt) or 0)


async def kinds(engine: AsyncEngine, res_id: Any) -> list[tuple[str, int]]:
    import uuid

    async with session_factory(engine)() as s:
        rows = await s.execute(
            select(CommissionEntry.kind, CommissionEntry.amount)
            .where(CommissionEntry.reservation_id == uuid.UUID(str(res_id)))
            .order_by(CommissionEntry.id)
        )
        return [(k, int(a)) for k, a in rows]


PASSWORD_FOR = PASSWORD
