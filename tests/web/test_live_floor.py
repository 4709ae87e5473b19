"""The live floor end to end: a real server, a real WebSocket, the outbox relay."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from realtime import MemoryBroker
from realtime.relay import OutboxRelay
from tests.conftest import FakeClock, engine_for
from tests.factories import World, create_night_for, create_venue
from venue.core.actor import GUEST
from venue.core.channels import floor_channel
from venue.core.db import session_factory
from venue.models import OutboxEvent
from venue.reservations import booking
from venue.setup.venues import sittings_of
from web.app import create_app
from web.settings import Settings
from web.sweeper import sweep_once

SAT = date(2026, 11, 21)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def make_world(engine: AsyncEngine) -> tuple[World, str]:
    async with session_factory(engine)() as s, s.begin():
        world = await create_venue(s, tables=4)
        night = await create_night_for(s, world, SAT, now=NOW)
        sitting = (await sittings_of(s, night))[0]
        return world, str(sitting.id)


@pytest.fixture
async def server(backend: str, clock: FakeClock) -> AsyncIterator[str]:
    engine, url = await engine_for(backend)
    # The session's database holds every earlier test's unpublished outbox rows (their
    # apps ran no relay, and nobody listens to those floors): without this, the relay
    # would publish that whole backlog ahead of the change this test times.
    async with engine.begin() as conn:
        await conn.execute(
            update(OutboxEvent).where(OutboxEvent.published_at.is_(None)).values(published_at=NOW)
        )
    app = create_app(Settings(database_url=url), clock=clock, run_sweeper=False)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(srv.serve())
    async with asyncio.timeout(10):
        while not srv.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
            await asyncio.sleep(0.02)
    yield f"127.0.0.1:{port}"
    srv.should_exit = True
    await task


async def frame(ws: Any) -> dict[str, Any]:
    async with asyncio.timeout(30):  # generous: the frame must arrive, not arrive fast
        while True:
            msg = json.loads(await ws.recv())
            if msg["type"] != "ping":
                return msg


async def test_a_hold_reaches_a_connected_floor_in_order(
    server: str, engine: AsyncEngine, backend: str
) -> None:
    world, sitting_id = await make_world(engine)
    slug = world.venue.slug
    t1, t3 = str(world.table("T1").id), str(world.table("T3").id)
    async with (
        websockets.connect(f"ws://{server}/ws/venues/{slug}/sittings/{sitting_id}") as ws,
        httpx.AsyncClient(base_url=f"http://{server}") as http,
    ):
        snap = await frame(ws)
        assert snap["type"] == "snapshot" and snap["seq"] == 1
        assert {t["state"] for t in snap["data"]["tables"]} == {"free"}

        body = {"date": SAT.isoformat(), "table_ids": [t1], "party_size": 2}
        assert (await http.post(f"/api/v1/venues/{slug}/holds", json=body)).status_code == 201
        delta = await frame(ws)  # arrives, next in sequence; timings belong in bench/
        assert delta["type"] == "delta" and delta["seq"] == 2
        assert {t["id"]: t["state"] for t in delta["data"]["tables"]}[t1] == "held"
        assert delta["data"]["tables_free"] == 3

        # A refused (rolled-back) attempt publishes nothing: the next frame is T3's hold.
        assert (await http.post(f"/api/v1/venues/{slug}/holds", json=body)).status_code == 409
        body["table_ids"] = [t3]
        assert (await http.post(f"/api/v1/venues/{slug}/holds", json=body)).status_code == 201
        nxt = await frame(ws)
        assert nxt["seq"] == 3
        states = {t["id"]: t["state"] for t in nxt["data"]["tables"]}
        # Absolute values, safe to apply twice. The one relay of a PostgreSQL deployment
        # sends only what changed since its last message; on SQLite every table.
        assert states[t3] == "held" and states.get(t1, "held") == "held"
        assert len(states) == (1 if backend == "postgres" else 4)
        assert nxt["data"]["tables_free"] == 2


async def test_unknown_or_foreign_sitting_closes_with_4404(
    server: str, engine: AsyncEngine
) -> None:
    world, sitting_id = await make_world(engine)
    for path in (f"/ws/venues/{world.venue.slug}/sittings/not-a-uuid",
                 f"/ws/venues/someone-else/sittings/{sitting_id}"):  # fmt: skip
        async with websockets.connect(f"ws://{server}{path}") as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await frame(ws)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


async def test_committed_changes_survive_a_relay_that_was_not_running(engine: AsyncEngine) -> None:
    """Written while no relay ran (a process died after commit): the next relay sends it."""
    world, sitting_id = await make_world(engine)
    sessions = session_factory(engine)
    async with sessions() as s, s.begin():
        venue = await s.merge(world.venue)
        req = booking.HoldRequest(SAT, [world.table("T2").id], 2)
        await booking.place_hold(s, venue, req, GUEST, NOW)
    broker = MemoryBroker()
    await broker.connect()
    relay = OutboxRelay(sessions, broker, lambda: NOW)
    async with broker.subscribe(floor_channel(sitting_id)) as sub:
        while await relay.relay_once():
            pass
        async with asyncio.timeout(30):  # a hang guard, not a speed check
            event = await sub.get()
        states = {t["id"]: t["state"] for t in json.loads(event.data)["tables"]}  # type: ignore[union-attr]
        assert states[str(world.table("T2").id)] == "held"
    async with sessions() as s:
        unpublished = await s.scalar(
            select(func.count()).where(
                OutboxEvent.tenant_id == world.venue.tenant_id, OutboxEvent.published_at.is_(None)
            )
        )
    assert unpublished == 0
    await broker.disconnect()


async def test_expired_hold_turns_free_on_the_floor_without_reload(
    server: str, engine: AsyncEngine, clock: FakeClock
) -> None:
    world, sitting_id = await make_world(engine)
    slug, t1 = world.venue.slug, str(world.table("T1").id)
    async with (
        websockets.connect(f"ws://{server}/ws/venues/{slug}/sittings/{sitting_id}") as ws,
        httpx.AsyncClient(base_url=f"http://{server}") as http,
    ):
        await frame(ws)
        body = {"date": SAT.isoformat(), "table_ids": [t1], "party_size": 2}
        await http.post(f"/api/v1/venues/{slug}/holds", json=body)
        assert {t["id"]: t["state"] for t in (await frame(ws))["data"]["tables"]}[t1] == "held"
        clock.advance(minutes=10)
        assert await sweep_once(session_factory(engine), clock()) >= 1
        # The sweeper's commit is another process's in production: the relay's tick finds it.
        freed = await frame(ws)
        assert {t["id"]: t["state"] for t in freed["data"]["tables"]}[t1] == "free"
        assert clock.now - NOW == timedelta(minutes=10)
