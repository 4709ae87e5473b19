"""A local Stripe (real HTTP on 127.0.0.1) and an app whose StripeClient points at it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from payments.testmode import FakeStripe, sign
from tests.api.conftest import NOW, SAT
from tests.conftest import FakeClock, engine_for
from tests.factories import World, create_night_for, create_venue
from tests.payments.fake_server import FakeStripeServer, serve
from venue.core.db import session_factory
from web.app import create_app
from web.settings import Settings

WEBHOOK_SECRET = "whsec_test_secret_for_maitre_tests"
GUEST = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "07911 123456"}
DEPOSIT = 10000  # 20% of the 500.00 minimum


@pytest.fixture
def fake(clock: FakeClock) -> FakeStripe:
    return FakeStripe(clock=clock)


@pytest.fixture
def stripe_server(fake: FakeStripe) -> Iterator[FakeStripeServer]:
    server = serve(fake)
    yield server
    server.stop()


@pytest.fixture
async def pay(
    backend: str, clock: FakeClock, stripe_server: FakeStripeServer
) -> AsyncIterator[httpx.AsyncClient]:
    """The API with real Stripe settings, the SDK talking HTTP to the local fake."""
    _, url = await engine_for(backend)
    settings = Settings(
        database_url=url,
        environment="test",
        secret_key="t" * 40,
        stripe_secret_key="sk_test_maitre",
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=stripe_server.url,
    )
    app = create_app(settings, clock=clock, run_sweeper=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        c.app = app  # type: ignore[attr-defined]
        yield c
    await app.state.engine.dispose()


@pytest.fixture
async def world(engine: AsyncEngine) -> World:
    async with session_factory(engine)() as s, s.begin():
        w = await create_venue(s, tables=3, deposit_bp=2000)
        await create_night_for(s, w, SAT, now=NOW)
        return w


def base(world: World) -> str:
    return f"/api/v1/venues/{world.venue.slug}"


async def book(client: httpx.AsyncClient, world: World, label: str = "T1") -> tuple[str, str]:
    """A reservation waiting for its deposit: (id, token)."""
    body = {"date": SAT.isoformat(), "table_ids": [str(world.table(label).id)], "party_size": 2}
    placed = await client.post(f"{base(world)}/holds", json=body)
    assert placed.status_code == 201, placed.text
    rid, token = placed.json()["reservation"]["id"], placed.json()["token"]
    done = await client.post(
        f"{base(world)}/holds/{rid}/complete", json={"token": token, "guest": GUEST}
    )
    assert done.json()["status"] == "pending_payment", done.text
    return rid, token


async def checkout(client: httpx.AsyncClient, world: World, token: str) -> dict[str, Any]:
    r = await client.post(f"{base(world)}/reservations/{token}/checkout")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def status_of(client: httpx.AsyncClient, world: World, token: str) -> str:
    return str((await client.get(f"{base(world)}/reservations/{token}")).json()["status"])


def signed(event: dict[str, Any], secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(event)
    return raw.encode(), {"Stripe-Signature": sign(raw, secret), "Content-Type": "application/json"}


async def deliver(
    client: httpx.AsyncClient, event: dict[str, Any], secret: str = WEBHOOK_SECRET
) -> httpx.Response:
    body, headers = signed(event, secret)
    return await client.post("/api/v1/payments/stripe/webhook", content=body, headers=headers)
