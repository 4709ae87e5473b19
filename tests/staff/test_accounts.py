"""Staff emails are unique per tenant: creating an account says nothing about other
tenants, and signing in finds the one account whose password matches (or asks for the
venue when several do)."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.staff.conftest import PASSWORD, Tenant, sign_in
from venue.core.db import session_factory
from venue.models import StaffUser
from venue.staff.sessions import HASHER

LOGIN = "/api/v1/staff/login"


async def add_account(engine: AsyncEngine, t: Tenant, email: str, password: str) -> None:
    async with session_factory(engine)() as s, s.begin():
        s.add(
            StaffUser(
                tenant_id=t.world.venue.tenant_id,
                email=email,
                name="Sam",
                role="manager",
                password_hash=HASHER.hash(password),
            )
        )


async def venues_of_session(client: httpx.AsyncClient) -> list[str]:
    me = await client.get("/api/v1/staff/me")
    assert me.status_code == 200, me.text
    return [v["slug"] for v in me.json()["venues"]]


async def test_creating_a_user_reveals_nothing_about_other_tenants(
    client: httpx.AsyncClient, mine: Tenant, theirs: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    taken_elsewhere = theirs.emails["floor"]
    body = {"email": taken_elsewhere, "name": "Sam", "role": "floor", "password": "p" * 12}
    created = await client.post("/api/v1/staff/users", json=body, headers=csrf)
    assert created.status_code == 201, created.text
    again = await client.post("/api/v1/staff/users", json=body, headers=csrf)
    assert again.status_code == 409 and again.json()["code"] == "email_taken"
    # Their account is untouched and still signs in to their tenant.
    await sign_in(client, taken_elsewhere)
    assert await venues_of_session(client) == [theirs.slug]


async def test_one_email_in_two_tenants_signs_in_where_the_password_matches(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant, theirs: Tenant
) -> None:
    email = f"sam-{uuid.uuid4().hex[:8]}@example.com"
    await add_account(engine, mine, email, "mine " + PASSWORD)
    await add_account(engine, theirs, email, "theirs " + PASSWORD)
    for t, password in ((mine, "mine " + PASSWORD), (theirs, "theirs " + PASSWORD)):
        client.cookies.clear()
        r = await client.post(LOGIN, json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        assert await venues_of_session(client) == [t.slug]
    wrong = await client.post(LOGIN, json={"email": email, "password": "neither " + PASSWORD})
    assert wrong.status_code == 401 and wrong.json()["code"] == "login_failed"


async def test_one_password_in_two_tenants_asks_for_the_venue(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant, theirs: Tenant
) -> None:
    email = f"sam-{uuid.uuid4().hex[:8]}@example.com"
    await add_account(engine, mine, email, PASSWORD)
    await add_account(engine, theirs, email, PASSWORD)
    ask = await client.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert ask.status_code == 409 and ask.json()["code"] == "venue_required"
    assert "set-cookie" not in ask.headers
    for t in (mine, theirs):
        client.cookies.clear()
        r = await client.post(LOGIN, json={"email": email, "password": PASSWORD, "venue": t.slug})
        assert r.status_code == 200, r.text
        assert await venues_of_session(client) == [t.slug]
    # The venue narrows the search; it never lets a wrong password through.
    for venue in (mine.slug, "no-such-venue"):
        r = await client.post(LOGIN, json={"email": email, "password": "x" * 12, "venue": venue})
        assert r.status_code == 401 and r.json()["code"] == "login_failed"
    # Only the password's owner learns there are several accounts: a wrong one is a 401.
    r = await client.post(LOGIN, json={"email": email, "password": "y" * 12})
    assert r.status_code == 401


async def test_a_venue_that_is_not_the_accounts_tenant_refuses_the_sign_in(
    client: httpx.AsyncClient, mine: Tenant, theirs: Tenant
) -> None:
    body = {"email": mine.emails["manager"], "password": PASSWORD, "venue": theirs.slug}
    r = await client.post(LOGIN, json=body)
    assert r.status_code == 401 and r.json()["code"] == "login_failed"
