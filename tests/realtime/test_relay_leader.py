"""One relay per deployment, woken by any process's commit, publishing only what changed.

Two relays on one PostgreSQL database stand for two processes: only the holder of the
advisory lock publishes; when it lets go the standby takes over and, with no memory of what
was sent, publishes every table once, then only the tables that changed. A commit made by
a session that never wakes the relay (another process) reaches it through NOTIFY.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from realtime import MemoryBroker, Message, Subscription
from realtime.leader import PostgresLeadership, SoleLeadership
from realtime.relay import OutboxRelay
from tests.conftest import engine_for
from tests.factories import World, create_night_for, create_venue
from venue.core.actor import GUEST
from venue.core.channels import floor_channel
from venue.core.db import session_factory
from venue.models import OutboxEvent
from venue.reservations import booking
from venue.setup.venues import sittings_of

pytestmark = pytest.mark.postgres

SAT = date(2026, 11, 21)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HANG_GUARD = 30.0  # a bound on a hang, not a speed check


async def make_world(engine: AsyncEngine) -> tuple[World, str]:
    async with session_factory(engine)() as s, s.begin():
        world = await create_venue(s, tables=4)
        night = await create_night_for(s, world, SAT, now=NOW)
        return world, str((await sittings_of(s, night))[0].id)


async def hold(sessions: async_sessionmaker[AsyncSession], world: World, label: str) -> None:
    async with sessions() as s, s.begin():
        venue = await s.merge(world.venue)
        await booking.place_hold(
            s, venue, booking.HoldRequest(SAT, [world.table(label).id], 2), GUEST, NOW
        )


async def messages(sub: Subscription) -> list[dict[str, Any]]:
    """Everything delivered so far (the memory broker delivers during publish)."""
    found = []
    while len(sub):
        event = await sub.get()
        assert isinstance(event, Message)
        found.append(json.loads(event.data))
    return found


async def drain(relay: OutboxRelay) -> None:
    while await relay.relay_once():
        pass


@pytest.fixture
async def pg() -> AsyncIterator[tuple[AsyncEngine, str]]:
    engine, url = await engine_for("postgres")
    # Earlier tests of the session leave unpublished rows nobody listens to.
    async with engine.begin() as conn:
        await conn.execute(
            update(OutboxEvent).where(OutboxEvent.published_at.is_(None)).values(published_at=NOW)
        )
    yield engine, url


async def broker_and_relay(
    sessions: async_sessionmaker[AsyncSession], url: str
) -> tuple[MemoryBroker, OutboxRelay, PostgresLeadership]:
    broker = MemoryBroker()
    await broker.connect()
    relay = OutboxRelay(sessions, broker, lambda: NOW)
    leadership = PostgresLeadership(url, relay.wake)
    relay.use(leadership)
    return broker, relay, leadership


async def test_only_the_lock_holder_publishes_and_a_standby_takes_over(
    pg: tuple[AsyncEngine, str],
) -> None:
    engine, url = pg
    world, sitting = await make_world(engine)
    sessions = session_factory(engine)
    broker_a, relay_a, lead_a = await broker_and_relay(sessions, url)
    broker_b, relay_b, lead_b = await broker_and_relay(sessions, url)
    ids = {label: str(world.table(label).id) for label in ("T1", "T2", "T3", "T4")}
    try:
        assert await lead_a.acquire() is True
        assert await lead_b.acquire() is False
        async with (
            broker_a.subscribe(floor_channel(sitting)) as on_a,
            broker_b.subscribe(floor_channel(sitting)) as on_b,
        ):
            await hold(sessions, world, "T1")
            await drain(relay_b)  # the standby claims nothing, even first
            await drain(relay_a)
            assert await messages(on_b) == []
            (first,) = await messages(on_a)
            # A relay that never published this sitting sends every table.
            assert {t["id"]: t["state"] for t in first["tables"]} == {
                ids["T1"]: "held",
                ids["T2"]: "free",
                ids["T3"]: "free",
                ids["T4"]: "free",
            }

            await hold(sessions, world, "T2")
            await drain(relay_a)
            (second,) = await messages(on_a)
            assert [(t["id"], t["state"]) for t in second["tables"]] == [(ids["T2"], "held")]
            assert second["tables_free"] == first["tables_free"] - 1

            await lead_a.release()  # A's process goes away: its session and lock with it
            assert await lead_a.confirm() is False
            assert await lead_b.acquire() is True
            await hold(sessions, world, "T3")
            await drain(relay_a)  # no longer the relay: publishes nothing
            await drain(relay_b)
            assert await messages(on_a) == []
            (taken_over,) = await messages(on_b)
            # B never published this sitting: everything, with the state A had sent.
            assert {t["id"]: t["state"] for t in taken_over["tables"]} == {
                ids["T1"]: "held",
                ids["T2"]: "held",
                ids["T3"]: "held",
                ids["T4"]: "free",
            }
            await hold(sessions, world, "T4")
            await drain(relay_b)
            (last,) = await messages(on_b)
            assert [(t["id"], t["state"]) for t in last["tables"]] == [(ids["T4"], "held")]
    finally:
        await lead_a.release()
        await lead_b.release()
        await broker_a.disconnect()
        await broker_b.disconnect()


async def test_a_commit_elsewhere_wakes_the_relay_through_notify(
    pg: tuple[AsyncEngine, str],
) -> None:
    """The relay's interval is an hour and nobody calls `wake()`: only NOTIFY can wake it."""
    engine, url = pg
    world, sitting = await make_world(engine)
    sessions = session_factory(engine)
    broker = MemoryBroker()
    await broker.connect()
    relay = OutboxRelay(sessions, broker, lambda: NOW, interval=3600)
    leadership = PostgresLeadership(url, relay.wake)
    relay.use(leadership)
    running = asyncio.create_task(relay.run_forever())
    try:
        async with broker.subscribe(floor_channel(sitting)) as sub:
            async with asyncio.timeout(HANG_GUARD):
                while not leadership.held:  # noqa: ASYNC110 - the lock is taken by the loop
                    await asyncio.sleep(0.01)
            await hold(sessions, world, "T2")
            async with asyncio.timeout(HANG_GUARD):
                event = await sub.get()
            assert isinstance(event, Message)
            states = {t["id"]: t["state"] for t in json.loads(event.data)["tables"]}
            assert states[str(world.table("T2").id)] == "held"
    finally:
        relay.stop()
        await asyncio.wait_for(running, HANG_GUARD)
        await broker.disconnect()
    assert leadership.held is False  # stopping lets go of the lock for the next process


async def test_without_an_exclusive_leadership_every_table_goes_out_every_time(
    pg: tuple[AsyncEngine, str],
) -> None:
    """Several processes on one SQLite file each run a relay: none may diff against memory."""
    engine, _ = pg
    world, sitting = await make_world(engine)
    sessions = session_factory(engine)
    broker = MemoryBroker()
    await broker.connect()
    relay = OutboxRelay(sessions, broker, lambda: NOW)
    relay.use(SoleLeadership())
    try:
        async with broker.subscribe(floor_channel(sitting)) as sub:
            for label in ("T1", "T2"):
                await hold(sessions, world, label)
                await drain(relay)
                (message,) = await messages(sub)
                assert len(message["tables"]) == 4
    finally:
        await broker.disconnect()


async def test_a_floor_nobody_watches_is_not_computed_and_goes_out_whole_once_watched(
    pg: tuple[AsyncEngine, str],
) -> None:
    engine, url = pg
    world, sitting = await make_world(engine)
    sessions = session_factory(engine)
    broker, relay, leadership = await broker_and_relay(sessions, url)
    try:
        assert await leadership.acquire()
        async with broker.subscribe(floor_channel(sitting)) as sub:
            await hold(sessions, world, "T1")
            await drain(relay)
            assert len((await messages(sub))[0]["tables"]) == 4  # first: whole
        await hold(sessions, world, "T2")  # nobody listens: skipped, memory dropped
        await drain(relay)
        async with broker.subscribe(floor_channel(sitting)) as sub:
            await hold(sessions, world, "T3")
            await drain(relay)
            (message,) = await messages(sub)
            # Whole again: a diff against the message before T2 would leave T2 out, and a
            # socket whose snapshot predates nothing would still be right, but one that
            # reconnects mid-way must not miss a table.
            assert {t["id"]: t["state"] for t in message["tables"]} == {
                str(world.table("T1").id): "held",
                str(world.table("T2").id): "held",
                str(world.table("T3").id): "held",
                str(world.table("T4").id): "free",
            }
    finally:
        await leadership.release()
        await broker.disconnect()
