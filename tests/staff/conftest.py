"""Two tenants, each with a venue and a Saturday night; staff of every role; helpers to
sign in and to book through the public API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import World, create_night_for, create_venue, link
from venue.core.db import session_factory
from venue.models import Host, StaffUser
from venue.staff.sessions import HASHER

SAT = date(2026, 11, 21)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# Half an hour before SAT's sitting (22:00): staff may seat, complete and mark no-shows.
SERVICE = datetime(2026, 11, 21, 21, 30, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
ROLES = ("owner", "manager", "floor", "host", "finance")


@dataclass
class Tenant:
    world: World
    emails: dict[str, str]
    host_id: Any

    @property
    def slug(self) -> str:
        return self.world.venue.slug

    def tid(self, label: str) -> str:
        return str(self.world.table(label).id)


async def make_tenant(engine: AsyncEngine) -> Tenant:
    async with session_factory(engine)() as s, s.begin():
        w = await create_venue(s, tables=4, tiers=("standard", "vip"), seats=(1, 6))
        await create_night_for(s, w, SAT, now=NOW)
        await link(s, w, "T1", "T2")
        host = Host(tenant_id=w.venue.tenant_id, name="Jade", code=f"J{w.venue.slug[-6:]}")
        s.add(host)
        await s.flush()
        emails = {}
        for role in ROLES:
            email = f"{role}-{w.venue.slug}@example.com"
            emails[role] = email
            s.add(
                StaffUser(
                    tenant_id=w.venue.tenant_id,
                    email=email,
                    name=role.title(),
                    role=role,
                    password_hash=HASHER.hash(PASSWORD),
                    host_id=host.id if role == "host" else None,
                )
            )
        return Tenant(w, emails, host.id)


@pytest.fixture
async def mine(engine: AsyncEngine) -> Tenant:
    return await make_tenant(engine)


@pytest.fixture
async def theirs(engine: AsyncEngine) -> Tenant:
    return await make_tenant(engine)


async def sign_in(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    client.cookies.clear()
    r = await client.post("/api/v1/staff/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


async def book(
    client: httpx.AsyncClient, t: Tenant, labels: list[str], party: int = 2, name: str = "Ada"
) -> dict[str, Any]:
    """A confirmed booking made by a guest through the public API."""
    body = {"date": SAT.isoformat(), "table_ids": [t.tid(x) for x in labels], "party_size": party}
    held = await client.post(f"/api/v1/venues/{t.slug}/holds", json=body)
    assert held.status_code == 201, held.text
    hold = held.json()
    done = await client.post(
        f"/api/v1/venues/{t.slug}/holds/{hold['reservation']['id']}/complete",
        json={
            "token": hold["token"],
            "guest": {"name": name, "email": f"{name.lower()}@example.com"},
        },
    )
    assert done.status_code == 200, done.text
    return dict(done.json())


def base(t: Tenant) -> str:
    return f"/api/v1/staff/venues/{t.slug}"
